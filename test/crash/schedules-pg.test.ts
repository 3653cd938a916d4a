// Issue 12 §5 on PostgreSQL (the harness's throwaway server): three worker processes on one
// schema; the firing worker is SIGKILLed while its transaction waits for the schedule's row lock.
import pg from 'pg';
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { runScheduleScenario } from './schedule-scenario.js';

const server = usePostgres();

describe('cron schedule across worker processes (PostgreSQL)', () => {
  it('exactly one run per tick; a worker SIGKILLed while firing a tick leaves it to the others, once', async () => {
    const schema = server.freshSchema();
    const holder = new pg.Client({ connectionString: server.server().url });
    await holder.connect();
    try {
      await runScheduleScenario(`${server.server().url}?schema=${schema}`, {
        hold: async () => {
          await holder.query('BEGIN');
          await holder.query(`SELECT 1 FROM "${schema}".schedules WHERE id = 'sched.crash:default' FOR UPDATE`);
        },
        release: async () => {
          await holder.query('ROLLBACK');
        },
      });
    } finally {
      await holder.end();
      await server.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }, 120_000);
});
