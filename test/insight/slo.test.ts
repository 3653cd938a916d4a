// SLOs on SQLite and PostgreSQL: error budget, burn rates (recomputed in the scenario), alert
// levels and their transitions reported once, as typed events. And the declarations' errors.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { checkSlos } from '../../src/insight/slo-check.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { tempDir } from '../helpers.js';
import { sloScenario } from './slo-scenario.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());
const pg = usePostgres();

describe('SLOs: budget, burn rates and alert transitions', () => {
  it('on SQLite', async () => {
    const store = await openSqliteStore(join(tmp.dir, 'slo.db'), { synchronous: 'NORMAL' });
    try {
      await sloScenario(store);
    } finally {
      await store.close();
    }
  });

  it('on PostgreSQL', async () => {
    const { store, cleanup } = await pg.openFresh({ leaseClock: 'caller' });
    try {
      await sloScenario(store);
    } finally {
      await cleanup();
    }
  });
});

describe('SLO declarations', () => {
  const open = (slos: unknown) => Lifeline.open({ db: ':memory:', slos: slos as never });
  it.each([
    [[{ workflow: 'a' }], 'Invalid option Lifeline.open.slos[0]: must set success, latency or both'],
    [[{ workflow: 'a', success: 1.5 }], 'Invalid option Lifeline.open.slos[0].success: must be a ratio above 0 and below 1, e.g. 0.99 (got 1.5)'],
    [[{ workflow: 'a', success: 1 }], 'Invalid option Lifeline.open.slos[0].success: must be a ratio above 0 and below 1, e.g. 0.99 (got 1)'],
    [
      [{ workflow: 'a', latency: { within: '10x', target: 0.9 } }],
      'Invalid option Lifeline.open.slos[0].latency.within: must be a duration from 1s to 30d, like "1s" or 2592000000 ms (got "10x")',
    ],
    [
      [{ workflow: 'a', success: 0.9, period: '30m' }],
      'Invalid option Lifeline.open.slos[0].period: must be a duration from 1h to 365d, like "1h" or 31536000000 ms (got "30m")',
    ],
    [[{ workflow: 'a', succes: 0.9 }], 'Invalid option Lifeline.open.slos[0]: unknown field "succes" (known: workflow, success, latency, period)'],
    [[{ workflow: '', success: 0.9 }], 'Invalid option Lifeline.open.slos[0].workflow: must be a non-empty workflow name'],
    [
      [
        { workflow: 'a', success: 0.9 },
        { workflow: 'a', success: 0.99 },
      ],
      'Invalid option Lifeline.open.slos[1].workflow: "a" already has an SLO at [0] (one SLO per workflow)',
    ],
    [{ workflow: 'a' }, 'Invalid option Lifeline.open.slos: must be an array of SLOs (got {"workflow":"a"})'],
  ])('%j is refused', async (slos, message) => {
    await expect(open(slos)).rejects.toThrow(message);
    await expect(open(slos)).rejects.toMatchObject({ message });
  });

  it('checkSlos checks its own options', async () => {
    const lifeline = await Lifeline.open({ db: ':memory:' });
    try {
      await expect(checkSlos(lifeline, { slos: [{ workflow: 'a', success: 2 }] })).rejects.toMatchObject({
        message: 'Invalid option checkSlos.slos[0].success: must be a ratio above 0 and below 1, e.g. 0.99 (got 2)',
      });
      await expect(checkSlos(lifeline, { workflow: 'x', since: '1h' } as never)).rejects.toMatchObject({
        message: 'Invalid option checkSlos.since: unknown option (known: slos, workflow)',
      });
      expect(await checkSlos(lifeline)).toEqual({ at: expect.any(Number), rows: [], paging: false });
    } finally {
      await lifeline.close();
    }
  });
});
