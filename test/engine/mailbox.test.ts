// The mailbox (ctx.receive) on SQLite (mailbox-cases.ts), on a real database file.
import { describe } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { mailboxCases } from './mailbox-cases.js';

describe('the mailbox of a run (SQLite)', () => {
  mailboxCases('sqlite', {
    open: () => {
      const tmp = tempDir();
      return Promise.resolve({ db: join(tmp.dir, 'mailbox.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});
