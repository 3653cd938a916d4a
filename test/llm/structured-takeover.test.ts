// The mid-loop takeover of structured-takeover-cases.ts on a real SQLite file.
import { join } from 'node:path';
import { describe } from 'vitest';
import { tempDir } from '../helpers.js';
import { structuredTakeoverCases } from './structured-takeover-cases.js';

describe('structured step taken over mid-loop (SQLite)', () => {
  structuredTakeoverCases('sqlite', {
    open() {
      const tmp = tempDir('lifeline-structured-');
      const db = join(tmp.dir, 'structured.db');
      return Promise.resolve({ dbA: db, dbB: db, cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});
