// Issue 12 §7 on one SQLite file: a prune process SIGKILLed inside a batch leaves every run whole or gone.
// It stops itself there (test/fixtures/prune-crash-worker.ts: a temporary trigger on its own
// connection blocks the process before run r15's first event row is deleted).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { FixtureProcesses, ROOT, until } from './harness.js';
import { PAUSE_RUN, runPruneCrashScenario } from './prune-crash-scenario.js';

describe('a prune SIGKILLed inside a batch (SQLite)', () => {
  it('every run is whole or gone, nothing is orphaned, a second prune finishes', async () => {
    const tmp = tempDir('lifeline-prune-db-');
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-prune-'));
    const procs = new FixtureProcesses(join(ROOT, 'build/test/fixtures/prune-crash-worker.js'));
    const db = join(tmp.dir, 'prune.db');
    try {
      await runPruneCrashScenario(db, {
        start: () => Promise.resolve(procs.start({ PRUNE_DB: db, PRUNE_DIR: dir, PRUNE_PAUSE_RUN: PAUSE_RUN })),
        paused: () => until(() => existsSync(join(dir, 'paused'))).promise,
        afterKill: () => Promise.resolve(), // SQLite: an uncommitted transaction of a dead process is no transaction
      });
    } finally {
      await procs.killAll();
      rmSync(dir, { recursive: true, force: true });
      tmp.cleanup();
    }
  }, 60_000);
});
