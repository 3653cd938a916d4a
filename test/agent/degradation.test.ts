import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { degradation } from '../../src/agent/degradation.js';
import { assembleInRun } from '../../src/agent/durable-degradation.js';
import { missing, settleAll } from '../../src/agent/missing.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { fromJson } from '../../src/store/serialize.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';

const one = (): number => 1;

const report = degradation({
  sections: {
    summary: { requires: ['sales'], build: ({ sales }) => `sales ${String(sales)}` },
    margins: { requires: ['sales', 'costs'], build: ({ sales, costs }) => (sales as number) - (costs as number) },
    outlook: { requires: ['forecast'], build: ({ forecast }) => `outlook ${String(forecast)}` },
  },
  levels: { FULL: ['summary', 'margins', 'outlook'], STANDARD: ['summary', 'margins'], BASIC: ['summary'] },
  fallback: (_built, missingSections) => ({ text: `no report: ${missingSections.length} sections missing` }),
});

describe('degradation', () => {
  it('picks the best level the built sections meet, and says what is missing and why', async () => {
    expect(await report.assemble({ sales: 10, costs: 4, forecast: 'up' })).toEqual({
      level: 'FULL',
      complete: true,
      output: { summary: 'sales 10', margins: 6, outlook: 'outlook up' },
      built: ['summary', 'margins', 'outlook'],
      missing: [],
    });
    expect(await report.assemble({ sales: 10, costs: 4, forecast: missing('forecast service down') })).toMatchObject({
      level: 'STANDARD',
      complete: false,
      missing: [{ section: 'outlook', reason: 'input "forecast" is missing: forecast service down' }],
    });
    expect(await report.assemble({ sales: 10 })).toMatchObject({
      level: 'BASIC',
      output: { summary: 'sales 10' },
      missing: [
        { section: 'margins', reason: 'input "costs" is missing' },
        { section: 'outlook', reason: 'input "forecast" is missing' },
      ],
    });
    expect(await report.assemble({})).toMatchObject({ level: 'FALLBACK', output: { text: 'no report: 3 sections missing' }, built: [] });
  });

  it('isolates a section builder that throws (sync or async): only that section is lost', async () => {
    const fragile = degradation({
      sections: {
        a: { requires: [], build: () => 'A' },
        b: {
          requires: [],
          build: () => {
            throw new Error('chart renderer crashed');
          },
        },
        c: { requires: [], build: () => Promise.reject(new ClassifiedError('quota gone', { errorClass: 'rate_limit' })) },
      },
      levels: { FULL: ['a', 'b', 'c'], MINIMAL: ['a'] },
    });
    expect(await fragile.assemble({})).toEqual({
      level: 'MINIMAL',
      complete: false,
      output: { a: 'A' },
      built: ['a'],
      missing: [
        { section: 'b', reason: 'its builder threw: chart renderer crashed' },
        { section: 'c', reason: 'its builder threw: [rate_limit] quota gone' },
      ],
    });
  });

  it.each([
    [{}, 'Invalid option degradation.sections: is required (an object of sections)'],
    [{ sections: {} }, 'Invalid option degradation.sections: must name at least one section (got {})'],
    [{ sections: { a: { build: one } } }, 'Invalid option degradation.sections.a.requires: is required (an array of input names, [] for none)'],
    [
      { sections: { a: { requires: [''], build: one } } },
      'Invalid option degradation.sections.a.requires[0]: must be a non-empty string of at most 256 characters without NUL (got "")',
    ],
    [{ sections: { a: { requires: [] } } }, 'Invalid option degradation.sections.a.build: is required (a function)'],
    [
      { sections: { a: { requires: [], build: one } }, levels: { FULL: ['a', 'z'] } },
      'Invalid option degradation.levels.FULL[1]: must name a section (known: a) (got "z")',
    ],
    [
      { sections: { a: { requires: [], build: one } }, levels: { FALLBACK: [] } },
      'Invalid option degradation.levels.FALLBACK: is reserved: FALLBACK is the level when no other is met',
    ],
    [{ sections: { a: { requires: [], build: one } }, levels: {} }, 'Invalid option degradation.levels: must name at least one level (got {})'],
  ])('rejects %j', (options, message) => {
    expect(() => degradation(options as never)).toThrow(new InvalidOptionsError(message));
  });
});

describe('degradation inside a workflow', () => {
  it('rejects a bad assembly name before anything is recorded', async () => {
    await expect(assembleInRun({} as never, '', report, {})).rejects.toThrow(
      new InvalidOptionsError('Invalid option assembleInRun.name: must be a non-empty string of at most 200 characters without NUL (got "")'),
    );
  });

  let engine: TestEngine | undefined;
  const tmp = tempDir();
  afterEach(async () => {
    await engine?.lifeline.close();
    engine = undefined;
  });

  it('a failed step is a missing input; the level and the missing sections are recorded as run.degraded once', async () => {
    let builds = 0;
    const counted = degradation({
      sections: {
        summary: { requires: ['sales'], build: ({ sales }) => (builds++, `sales ${String(sales)}`) },
        outlook: { requires: ['forecast'], build: ({ forecast }) => `outlook ${String(forecast)}` },
      },
      levels: { FULL: ['summary', 'outlook'], BASIC: ['summary'] },
    });
    const wf = defineWorkflow('agent.report', async (ctx) => {
      const inputs = await settleAll({
        sales: ctx.step('sales', () => 10),
        forecast: ctx.step('forecast', () => {
          throw new ClassifiedError('forecast model said no', { errorClass: 'validation' });
        }),
      });
      const result = await assembleInRun(ctx, 'report', counted, inputs);
      await ctx.sleep('1m'); // a second execution replays the assembly
      return result;
    });
    const clock = new ManualClock();
    engine = await startEngine({ workflows: [wf], clock, db: join(tmp.dir, 'report.db') });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping');
    await clock.advance(60_000);
    const result = await h.result();
    expect(result).toEqual({
      level: 'BASIC',
      complete: false,
      output: { summary: 'sales 10' },
      built: ['summary'],
      missing: [
        {
          section: 'outlook',
          reason: 'input "forecast" is missing: [validation] Step "forecast#0" failed with validation error after 1 attempt: forecast model said no',
        },
      ],
    });
    expect(builds).toBe(1);
    const events = (await engine.lifeline.store.listEvents({ runId: h.runId })).filter((e) => e.type === 'run.degraded');
    expect(events.map((e) => fromJson(e.data))).toEqual([{ name: 'report', level: 'BASIC', missing: result.missing }]);
  });
});
