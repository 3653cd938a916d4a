// The chaos driver stops as soon as a run can no longer complete, instead of waiting out its
// time bound: a run that ended failed or cancelled fails the scenario at once, with the reason.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { EFFECT_TABLES_SQL } from '../fixtures/chaos-effects.js';
import { tempDir } from '../helpers.js';
import { requireBuild, runChaos } from './chaos-driver.js';

const tmp = tempDir('lifeline-chaos-driver-');
afterAll(() => tmp.cleanup());

describe('chaos driver', () => {
  it('fails at once when a run ended without completing', async () => {
    requireBuild();
    const db = join(tmp.dir, 'chaos.db');
    const effects = join(tmp.dir, 'effects.db');
    const effectsDb = new Database(effects);
    effectsDb.exec(EFFECT_TABLES_SQL('', 'sqlite'));
    effectsDb.close();
    // runChaos creates chaos-0 .. chaos-N; an existing run of that id is kept as it is.
    const store = await openSqliteStore(db);
    await store.createRun({ id: 'chaos-0', workflow: 'chaos.ten', input: JSON.stringify({ i: 0 }), now: Date.now() });
    expect((await store.requestCancel('chaos-0', Date.now()))?.status).toBe('cancelled');
    await store.close();
    // Without the check the driver would wait out maxSeconds and fail with another message.
    await expect(runChaos({ db, effects: `sqlite:${effects}`, runs: 2, workers: 1, seed: 1, maxSeconds: 5 })).rejects.toThrow(
      'chaos (seed 1): runs ended without completing after 0 kills:\nchaos-0 cancelled: ',
    );
  });
});
