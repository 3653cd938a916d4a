// Issue 12 §6 on PostgreSQL (the harness's throwaway server): a sender SIGKILLed before or after its send commit sends once.
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { runMessageCrashScenario } from './message-scenario.js';

const pg = usePostgres();

describe('a message between runs survives a SIGKILLed sender (PostgreSQL)', () => {
  for (const killAt of ['stored', 'committed'] as const) {
    it(`killed ${killAt === 'stored' ? 'after storing the message, before the step commit' : 'right after the send commit'}: the receiver gets it once`, async () => {
      const schema = pg.freshSchema();
      try {
        await runMessageCrashScenario(`${pg.server().url}?schema=${schema}`, killAt);
      } finally {
        await pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      }
    }, 60_000);
  }
});
