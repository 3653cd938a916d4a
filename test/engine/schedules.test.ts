// Cron schedules' catch-up on SQLite (schedule-catch-up-cases.ts), on a real database file.
import { describe } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { scheduleCatchUpCases } from './schedule-catch-up-cases.js';

describe('cron schedules: catch-up after a downtime (SQLite)', () => {
  scheduleCatchUpCases('sqlite', {
    open: () => {
      const tmp = tempDir();
      return Promise.resolve({ db: join(tmp.dir, 'sched.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});
