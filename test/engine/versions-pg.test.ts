// Workflow versions on the PostgreSQL server the harness starts (versions-cases.ts).
import { describe } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { versionCases } from './versions-cases.js';

const pg = usePostgres();

describe('workflow versions (PostgreSQL)', () => {
  versionCases('postgres', { open: () => pg.openFresh().then(({ store, cleanup }) => ({ db: store, cleanup })) });
});
