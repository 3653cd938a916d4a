// The mid-loop takeover of structured-takeover-cases.ts on the PostgreSQL server the harness
// starts (two stores on one schema, leases on the callers' ManualClocks).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { structuredTakeoverCases } from './structured-takeover-cases.js';

const pg = usePostgres();

describe('structured step taken over mid-loop (PostgreSQL)', () => {
  structuredTakeoverCases('postgres', { open: () => pg.openPair() });
});
