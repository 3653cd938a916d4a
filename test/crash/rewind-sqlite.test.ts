// Issue 12 §2 on one SQLite file: a worker SIGKILLed while re-running a rewound step; another finishes the run.
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runRewindCrashScenario } from './rewind-scenario.js';

describe('a rewound run survives a SIGKILLed worker (SQLite)', () => {
  it('each step from the rewind point on commits once in the new generation; earlier steps never re-run; generation 1 is kept', async () => {
    const tmp = tempDir('lifeline-rewind-db-');
    try {
      await runRewindCrashScenario(join(tmp.dir, 'rewind.db'));
    } finally {
      tmp.cleanup();
    }
  }, 120_000);
});
