// Issue 12 §4 on one SQLite file: a SIGKILLed v1 worker's runs wait for another v1 worker; the
// v2 worker never executes them (versions-scenario.ts).
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runVersionsCrashScenario } from './versions-scenario.js';

describe('workflow versions across worker processes (SQLite)', () => {
  it('a v1 run of a SIGKILLed v1 worker is finished by a new v1 worker, never by the live v2 worker', async () => {
    const tmp = tempDir('lifeline-versions-db-');
    try {
      await runVersionsCrashScenario(join(tmp.dir, 'versions.db'));
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
