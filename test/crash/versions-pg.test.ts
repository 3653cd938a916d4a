// Issue 12 §4 on PostgreSQL (the harness's throwaway server): a SIGKILLed v1 worker's runs wait
// for another v1 worker; the v2 worker never executes them (versions-scenario.ts).
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { runVersionsCrashScenario } from './versions-scenario.js';

const server = usePostgres();

describe('workflow versions across worker processes (PostgreSQL)', () => {
  it('a v1 run of a SIGKILLed v1 worker is finished by a new v1 worker, never by the live v2 worker', async () => {
    const schema = server.freshSchema();
    try {
      await runVersionsCrashScenario(`${server.server().url}?schema=${schema}`);
    } finally {
      await server.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }, 90_000);
});
