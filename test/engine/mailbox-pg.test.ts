// The mailbox (ctx.receive) on the PostgreSQL server the harness starts (mailbox-cases.ts).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { mailboxCases } from './mailbox-cases.js';

const pg = usePostgres();

describe('the mailbox of a run (PostgreSQL)', () => {
  // Leases on the caller's clock: the timeout case runs on a ManualClock.
  mailboxCases('postgres', { open: () => pg.openFresh({ leaseClock: 'caller' }).then(({ store, cleanup }) => ({ db: store, cleanup })) });
});
