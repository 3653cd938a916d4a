// The mid-chain takeover of fallback-takeover-cases.ts on a real SQLite file.
import { join } from 'node:path';
import { describe } from 'vitest';
import { tempDir } from '../helpers.js';
import { fallbackTakeoverCases } from './fallback-takeover-cases.js';

describe('fallback chain taken over mid-chain (SQLite)', () => {
  fallbackTakeoverCases('sqlite', {
    open() {
      const tmp = tempDir('lifeline-fallback-');
      const db = join(tmp.dir, 'fallback.db');
      return Promise.resolve({ dbA: db, dbB: db, cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});
