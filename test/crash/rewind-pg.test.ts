// Issue 12 §2 on PostgreSQL (the harness's throwaway server): a worker SIGKILLed while re-running a rewound step; another finishes the run.
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { runRewindCrashScenario } from './rewind-scenario.js';

const pg = usePostgres();

describe('a rewound run survives a SIGKILLed worker (PostgreSQL)', () => {
  it('each step from the rewind point on commits once in the new generation; earlier steps never re-run; generation 1 is kept', async () => {
    const schema = pg.freshSchema();
    try {
      await runRewindCrashScenario(`${pg.server().url}?schema=${schema}`);
    } finally {
      await pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }, 120_000);
});
