// The mid-loop takeover of structured-takeover-cases.ts on the PostgreSQL server the harness
// starts (two stores on one schema, leases on the callers' ManualClocks).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { structuredTakeoverCases } from './structured-takeover-cases.js';

const pg = usePostgres();

describe('structured step taken over mid-loop (PostgreSQL)', () => {
  structuredTakeoverCases('postgres', {
    async open() {
      const schema = pg.freshSchema();
      const first = await pg.openFresh({ schema, leaseClock: 'caller' });
      const second = await pg.openFresh({ schema, leaseClock: 'caller' });
      return {
        dbA: first.store,
        dbB: second.store,
        cleanup: async () => {
          await second.cleanup();
          await first.cleanup();
        },
      };
    },
  });
});
