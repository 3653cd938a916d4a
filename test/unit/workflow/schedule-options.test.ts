// defineWorkflow(..., { schedules }): every bad field fails the definition with a message naming it.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, unregisterWorkflow } from '../../../src/workflow/define.js';
import { InvalidOptionsError } from '../../../src/errors/options-error.js';

const NAME = 'sched.options';
const define = (schedules: unknown, extra: Record<string, unknown> = {}) =>
  defineWorkflow(NAME, () => null, { schedules, ...extra } as Parameters<typeof defineWorkflow>[2]);

afterEach(() => unregisterWorkflow(NAME));

describe('schedule options', () => {
  it('a valid schedule is resolved with its defaults and its id', () => {
    const wf = define([
      { cron: '*/5 * * * *' },
      { name: 'nightly', cron: '0 30 2 * * *', timezone: 'Europe/Berlin', catchUp: 'all', input: { n: 1 }, grace: '5m', maxCatchUp: 7 },
    ]);
    expect(wf.schedules).toEqual([
      { id: 'sched.options:default', workflow: NAME, cron: '*/5 * * * *', timezone: 'UTC', catchUp: 'skip', input: 'null', graceMs: 60_000, maxCatchUp: 100 },
      {
        id: 'sched.options:nightly',
        workflow: NAME,
        cron: '0 30 2 * * *',
        timezone: 'Europe/Berlin',
        catchUp: 'all',
        input: '{"n":1}',
        graceMs: 300_000,
        maxCatchUp: 7,
      },
    ]);
  });

  it.each([
    [
      { cron: '61 * * * *' },
      'Invalid option workflow "sched.options".schedules[0].cron: is not a valid cron expression: Constraint error, got value 61 expected range 0-59 (got "61 * * * *")',
    ],
    [
      { cron: 'every day' },
      'Invalid option workflow "sched.options".schedules[0].cron: has 2 field(s): use 5 (minute hour day-of-month month day-of-week) or 6 (second first) (got "every day")',
    ],
    [
      { cron: '* * * * * * *' },
      'Invalid option workflow "sched.options".schedules[0].cron: has 7 field(s): use 5 (minute hour day-of-month month day-of-week) or 6 (second first) (got "* * * * * * *")',
    ],
    [{ cron: 5 }, 'Invalid option workflow "sched.options".schedules[0].cron: must be a non-empty string of at most 200 characters without NUL (got 5)'],
    [{}, 'Invalid option workflow "sched.options".schedules[0].cron: must be a non-empty string of at most 200 characters without NUL (got undefined)'],
    [
      { cron: '* * * * *', timezone: 'Mars/Olympus' },
      'Invalid option workflow "sched.options".schedules[0].timezone: is not a known IANA time zone, e.g. "UTC" or "Europe/Berlin" (got "Mars/Olympus")',
    ],
    [{ cron: '* * * * *', catchUp: 'some' }, 'Invalid option workflow "sched.options".schedules[0].catchUp: must be one of "skip", "one", "all" (got "some")'],
    [{ cron: '* * * * *', maxCatchUp: 0 }, 'Invalid option workflow "sched.options".schedules[0].maxCatchUp: must be an integer from 1 to 10000 (got 0)'],
    [
      { cron: '* * * * *', name: 'a b' },
      'Invalid option workflow "sched.options".schedules[0].name: must be 1-64 letters, digits, "_", "." or "-" (got "a b")',
    ],
    [
      { cron: '* * * * *', every: '5m' },
      'Invalid option workflow "sched.options".schedules[0].every: unknown option (known: name, cron, timezone, input, catchUp, grace, maxCatchUp)',
    ],
  ])('refuses %j', (schedule, message) => {
    expect(() => define([schedule])).toThrow(new InvalidOptionsError(message));
  });

  it('refuses a non-array, two schedules of one name, and an input its workflow schema refuses', () => {
    expect(() => define({ cron: '* * * * *' })).toThrow('Invalid option workflow "sched.options".schedules: must be an array (got object)');
    expect(() => define([{ cron: '* * * * *' }, { cron: '0 * * * *' }])).toThrow(
      'Invalid option workflow "sched.options".schedules[1].name: "default" is taken by an earlier schedule of this workflow: give each schedule its own name',
    );
    expect(() => define([{ cron: '* * * * *', input: { n: 'x' } }], { inputSchema: z.object({ n: z.number() }) })).toThrow(
      'Invalid option workflow "sched.options".schedules[0].input: does not match the workflow\'s inputSchema: Invalid input: expected number, received string',
    );
  });
});
