// Issue 12 §6 on one SQLite file: a sender SIGKILLed before or after its send commit sends once.
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runMessageCrashScenario } from './message-scenario.js';

describe('a message between runs survives a SIGKILLed sender (SQLite)', () => {
  for (const killAt of ['stored', 'committed'] as const) {
    it(`killed ${killAt === 'stored' ? 'after storing the message, before the step commit' : 'right after the send commit'}: the receiver gets it once`, async () => {
      const tmp = tempDir('lifeline-msg-db-');
      try {
        await runMessageCrashScenario(join(tmp.dir, 'msg.db'), killAt);
      } finally {
        tmp.cleanup();
      }
    }, 60_000);
  }
});
