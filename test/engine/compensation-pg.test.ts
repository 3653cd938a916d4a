// Compensation (compensation-cases.ts) on the PostgreSQL server the harness starts.
import { usePostgres } from '../pg/pg-fixture.js';
import { compensationCases } from './compensation-cases.js';

const pg = usePostgres();

compensationCases('PostgreSQL', { open: () => pg.openFresh().then(({ store, cleanup }) => ({ db: store, cleanup })) });
