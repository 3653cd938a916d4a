// Schedules created at runtime on the PostgreSQL server the harness starts (schedule-api-cases.ts).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { scheduleApiCases } from './schedule-api-cases.js';

const pg = usePostgres();

describe('schedules created at runtime (PostgreSQL)', () => {
  scheduleApiCases('postgres', { open: () => pg.openFresh({ leaseClock: 'caller' }).then(({ store, cleanup }) => ({ db: store, cleanup })) });
});
