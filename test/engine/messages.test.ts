// Messages between runs on SQLite (message-cases.ts), on a real database file.
import { describe } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { messageCases } from './message-cases.js';

describe('messages between runs (SQLite)', () => {
  messageCases('sqlite', {
    open: () => {
      const tmp = tempDir();
      return Promise.resolve({ db: join(tmp.dir, 'msg.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});
