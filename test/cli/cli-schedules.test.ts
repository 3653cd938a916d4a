// `lifeline schedules [--json]`, `lifeline schedules pause|resume ID` (built CLI, real SQLite file).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers.js';
import { requireBuild, cliOn } from './kit.js';

let tmp: ReturnType<typeof tempDir>;
let db: string;
const T0 = Date.parse('2026-01-01T00:02:30Z');

const lifeline = cliOn(() => db);

beforeAll(async () => {
  requireBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'schedules.db');
  const store = await openSqliteStore(db);
  const base = { timezone: 'UTC', input: 'null', graceMs: 60_000, maxCatchUp: 100 };
  await store.upsertSchedules({
    schedules: [
      { ...base, id: 'report:nightly', workflow: 'report', cron: '0 2 * * *', timezone: 'Europe/Berlin', catchUp: 'one' },
      { ...base, id: 'poll:default', workflow: 'poll', cron: '*/5 * * * *', catchUp: 'skip' },
    ],
    now: T0,
  });
  const tick = Date.parse('2026-01-01T00:05:00Z');
  await store.fireSchedule({
    id: 'poll:default',
    expectedFiredThrough: T0,
    firedThrough: tick,
    runs: [{ id: 'sched:poll:default@2026-01-01T00:05:00.000Z', tick }],
    workflow: 'poll',
    input: 'null',
    now: tick,
  });
  await store.close();
});
afterAll(() => tmp?.cleanup());

describe('lifeline schedules', () => {
  it('lists each schedule with its cron, catch-up, last and next tick', () => {
    const r = lifeline(['schedules']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n').map((l) => l.replace(/ +/g, ' ').trimEnd())).toEqual([
      'ID CRON TIMEZONE CATCH-UP STATE LAST TICK NEXT TICK LAST RUN',
      'poll:default */5 * * * * UTC skip active 2026-01-01T00:05:00.000Z 2026-01-01T00:10:00.000Z sched:poll:default@2026-01-01T00:05:00.000Z',
      'report:nightly 0 2 * * * Europe/Berlin one active - 2026-01-01T01:00:00.000Z -',
      '',
    ]);
  });

  it('pause and resume by id (--json prints the schedule); an unknown id exits 4 (not found) naming it', () => {
    const paused = lifeline(['schedules', 'pause', 'report:nightly']);
    expect(paused.code, paused.err).toBe(0);
    expect(paused.out).toBe('schedule report:nightly paused\n');
    const list = JSON.parse(lifeline(['schedules', '--json']).out) as Array<Record<string, unknown>>;
    expect(list.find((s) => s.id === 'report:nightly')).toEqual({
      id: 'report:nightly',
      source: 'code',
      workflow: 'report',
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      catchUp: 'one',
      paused: true,
      lastTick: null,
      lastRunId: null,
      nextTick: null,
    });
    const resumed = lifeline(['schedules', 'resume', 'report:nightly', '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(resumed.out)).toMatchObject({ id: 'report:nightly', paused: false });
    const missing = lifeline(['schedules', 'pause', 'nope:default']);
    expect(missing.code).toBe(4);
    expect(missing.err).toContain('No schedule with id "nope:default" in this database (ids are "<workflow>:<name>"; see `lifeline schedules`).');
  });
});
