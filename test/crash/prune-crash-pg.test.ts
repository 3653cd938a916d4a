// Issue 12 §7 on PostgreSQL (the harness's throwaway server): a `lifeline prune` process SIGKILLed
// inside a batch leaves every run whole or gone. The test stops it there with the database's own
// locks: it holds a row lock on one of run r15's events, so the batch's DELETE of events waits
// (seen in pg_stat_activity) with its transaction open; after the kill it lets go and waits until
// the server has ended the dead client's backend (rolling its transaction back).
import type { Client } from 'pg';
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { CLI_JS, FixtureProcesses, untilAsync } from './harness.js';
import { PAUSE_RUN, runPruneCrashScenario } from './prune-crash-scenario.js';

const pg = usePostgres();

async function blockedPrunePid(client: Client, schema: string): Promise<number | null> {
  // Inside the locking transaction pg_stat_activity would be the snapshot of its first read.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const res = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [
    `DELETE FROM %${schema}%.events WHERE run_id%`,
  ]);
  return res.rows[0]?.pid ?? null;
}

describe('a prune SIGKILLed inside a batch (PostgreSQL)', () => {
  it('every run is whole or gone, nothing is orphaned, a second prune finishes', async () => {
    const schema = pg.freshSchema();
    const url = `${pg.server().url}?schema=${schema}`;
    const procs = new FixtureProcesses(CLI_JS);
    try {
      await pg.withClient(async (locker) => {
        let backend: number | null = null;
        await runPruneCrashScenario(url, {
          start: async () => {
            await locker.query('BEGIN');
            const locked = await locker.query(`SELECT 1 FROM "${schema}".events WHERE run_id = $1 LIMIT 1 FOR UPDATE`, [PAUSE_RUN]);
            if (locked.rowCount !== 1) throw new Error(`run ${PAUSE_RUN} has no event to lock`);
            return procs.start({}, ['--db', url, 'prune', '--older-than', '1d', '--batch-size', '10']);
          },
          paused: () => untilAsync(async () => (backend = await blockedPrunePid(locker, schema)) !== null, 'the prune to wait inside its second batch'),
          afterKill: async () => {
            await locker.query('ROLLBACK');
            await untilAsync(
              async () => (await locker.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend])).rowCount === 0,
              "the killed prune's backend to end",
            );
          },
        });
      });
    } finally {
      await procs.killAll();
      await pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }, 60_000);
});
