// Issue 12 §3 on PostgreSQL (the harness's throwaway server): a worker SIGKILLed during a compensation; the next one finishes them.
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { runCompensationCrashScenario } from './compensation-scenario.js';

const pg = usePostgres();

describe('compensation survives a SIGKILLed worker (PostgreSQL)', () => {
  it('killed during the flight compensation (the hotel one committed): a second worker runs only the flight one again, each committed once', async () => {
    const schema = pg.freshSchema();
    try {
      await runCompensationCrashScenario(`${pg.server().url}?schema=${schema}`);
    } finally {
      await pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }, 60_000);
});
