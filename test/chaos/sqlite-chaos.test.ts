import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { EFFECT_TABLES_SQL } from '../fixtures/chaos-effects.js';
import { requireBuild, runChaos } from './chaos-driver.js';
import { checkChaosInvariants } from './chaos-checks.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20261122);
const tmp = tempDir('lifeline-chaos-');
afterAll(() => tmp.cleanup());

describe('chaos on SQLite: 3 worker processes on one file, random SIGKILLs', () => {
  it(`300 runs x 10 steps all complete, no step committed or applied twice (seed ${SEED})`, async () => {
    requireBuild();
    const effectsPath = join(tmp.dir, 'effects.db');
    const effectsDb = new Database(effectsPath);
    effectsDb.pragma('journal_mode = WAL');
    effectsDb.exec(EFFECT_TABLES_SQL('', 'sqlite'));
    effectsDb.close();
    const report = await runChaos({ db: join(tmp.dir, 'chaos.db'), effects: `sqlite:${effectsPath}`, runs: 300, workers: 3, seed: SEED, maxSeconds: 240 });
    const check = new Database(effectsPath, { readonly: true });
    const keys = new Set((check.prepare('SELECT key FROM effects').all() as Array<{ key: string }>).map((r) => r.key));
    const executions = check.prepare('SELECT key, pid FROM executions ORDER BY id').all() as Array<{ key: string; pid: number }>;
    check.close();
    // Also asserts that kills landed while runs were in flight, and bounds the re-executions.
    await checkChaosInvariants(report, 300, 10, { keys, executions });
    await report.store.close();
  }, 300_000);
});
