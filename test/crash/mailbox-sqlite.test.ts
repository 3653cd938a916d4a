// Issue 12 §6 on one SQLite file: a receiver SIGKILLed after ctx.receive, before its next step commits, reads each message once.
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runMailboxCrashScenario } from './mailbox-scenario.js';

describe('a mailbox read survives a SIGKILLed receiver (SQLite)', () => {
  it('killed inside the step after the read: the replay returns the same message, the next read the next one', async () => {
    const tmp = tempDir('lifeline-mb-db-');
    try {
      await runMailboxCrashScenario(join(tmp.dir, 'mb.db'));
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
