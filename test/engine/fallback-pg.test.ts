// Fallback chains on the PostgreSQL server the harness starts: the mid-chain takeover of
// fallback-takeover-cases.ts (two stores on one schema, leases on the callers' ManualClocks).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { fallbackTakeoverCases } from './fallback-takeover-cases.js';

const pg = usePostgres();

describe('fallback chain taken over mid-chain (PostgreSQL)', () => {
  fallbackTakeoverCases('postgres', { open: () => pg.openPair() });
});
