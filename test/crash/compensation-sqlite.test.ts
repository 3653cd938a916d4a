// Issue 12 §3 on one SQLite file: a worker SIGKILLed during a compensation; the next one finishes them, each committed once.
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCompensationCrashScenario } from './compensation-scenario.js';

describe('compensation survives a SIGKILLed worker (SQLite)', () => {
  it('killed during the flight compensation (the hotel one committed): a second worker runs only the flight one again, each committed once', async () => {
    const tmp = tempDir('lifeline-comp-db-');
    try {
      await runCompensationCrashScenario(join(tmp.dir, 'comp.db'));
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
