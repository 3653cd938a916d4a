// Cron schedules' catch-up on the PostgreSQL server the harness starts (schedule-catch-up-cases.ts).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { scheduleCatchUpCases } from './schedule-catch-up-cases.js';

const pg = usePostgres();

describe('cron schedules: catch-up after a downtime (PostgreSQL)', () => {
  scheduleCatchUpCases('postgres', { open: () => pg.openFresh({ leaseClock: 'caller' }).then(({ store, cleanup }) => ({ db: store, cleanup })) });
});
