// Schedules created at runtime on SQLite (schedule-api-cases.ts), on a real database file.
import { describe } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { scheduleApiCases } from './schedule-api-cases.js';

describe('schedules created at runtime (SQLite)', () => {
  scheduleApiCases('sqlite', {
    open: () => {
      const tmp = tempDir();
      return Promise.resolve({ db: join(tmp.dir, 'sched.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});
