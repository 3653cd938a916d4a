// Issue 12 §5 on one SQLite file: exactly one run per tick across three worker processes, also
// for the tick whose firing worker is SIGKILLed inside its store write (schedule-scenario.ts).
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runScheduleScenario } from './schedule-scenario.js';

describe('cron schedule across worker processes (SQLite)', () => {
  it('exactly one run per tick; a worker SIGKILLed while firing a tick leaves it to the others, once', async () => {
    const tmp = tempDir('lifeline-sched-db-');
    const db = join(tmp.dir, 'sched.db');
    let holder: Database.Database | undefined;
    try {
      await runScheduleScenario(db, {
        // SQLite's one write lock: the firing's BEGIN IMMEDIATE waits for it (busy_timeout).
        hold: () => {
          holder = new Database(db);
          holder.exec('BEGIN IMMEDIATE');
          return Promise.resolve();
        },
        release: () => {
          holder?.exec('ROLLBACK');
          holder?.close();
          return Promise.resolve();
        },
      });
    } finally {
      tmp.cleanup();
    }
  }, 120_000);
});
