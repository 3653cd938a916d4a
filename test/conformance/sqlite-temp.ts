// Temp-directory SQLite stores for the conformance tests; each test gets its own file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export async function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeline-store-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function openTempSqlite() {
  const { dir, remove } = await makeTempDir();
  const store = await openSqliteStore(join(dir, 'lifeline.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await remove();
    },
  };
}
