// Messages between runs on the PostgreSQL server the harness starts (message-cases.ts).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { messageCases } from './message-cases.js';

const pg = usePostgres();

describe('messages between runs (PostgreSQL)', () => {
  messageCases('postgres', { open: () => pg.openFresh().then(({ store, cleanup }) => ({ db: store, cleanup })) });
});
