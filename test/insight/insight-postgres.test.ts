// Insight patterns and health on PostgreSQL: a generated history bulk-loaded into a fresh schema
// of the throwaway server.
import { usePostgres } from '../pg/pg-fixture.js';
import { insightCases } from './insight-cases.js';
import { loadHistoryPostgres } from './load-history.js';

const pg = usePostgres();

insightCases('postgres', async (history) => {
  const { store, cleanup } = await pg.openFresh();
  await pg.withClient((c) => loadHistoryPostgres(c, store.schema, history));
  return { store, cleanup };
});
