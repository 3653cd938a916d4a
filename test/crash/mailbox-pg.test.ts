// Issue 12 §6 on PostgreSQL (the harness's throwaway server): a receiver SIGKILLed after ctx.receive, before its next step commits, reads each message once.
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { runMailboxCrashScenario } from './mailbox-scenario.js';

const pg = usePostgres();

describe('a mailbox read survives a SIGKILLed receiver (PostgreSQL)', () => {
  it('killed inside the step after the read: the replay returns the same message, the next read the next one', async () => {
    const schema = pg.freshSchema();
    try {
      await runMailboxCrashScenario(`${pg.server().url}?schema=${schema}`);
    } finally {
      await pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }, 60_000);
});
