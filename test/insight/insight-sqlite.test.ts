// Insight patterns and health on SQLite: a generated history bulk-loaded into a real file.
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers.js';
import { insightCases } from './insight-cases.js';
import { loadHistorySqlite } from './load-history.js';

insightCases('sqlite', async (history) => {
  const tmp = tempDir();
  const path = join(tmp.dir, 'insight.db');
  const store = await openSqliteStore(path);
  loadHistorySqlite(path, history);
  return {
    store,
    cleanup: async () => {
      await store.close();
      tmp.cleanup();
    },
  };
});
