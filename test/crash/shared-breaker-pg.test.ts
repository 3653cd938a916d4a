// Issue 8 §3 on PostgreSQL (the harness's throwaway server): three worker processes share one
// circuit breaker in one schema.
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { runSharedBreakerScenario } from './breaker-scenario.js';

const pg = usePostgres();

describe('shared circuit breaker across processes (PostgreSQL)', () => {
  it('opens after N failures in total across three processes, then grants exactly the half-open probes across them', async () => {
    const schema = pg.freshSchema();
    try {
      await runSharedBreakerScenario(`${pg.server().url}?schema=${schema}`);
    } finally {
      await pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }, 120_000);
});
