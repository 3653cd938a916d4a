// Picks a Store backend from a URL. Error messages never echo the URL itself: a database URL
// can carry a password, and error messages end up in logs.
import { LifelineError } from '../errors/lifeline-error.js';
import type { PostgresOpenOptions } from './postgres/connection.js';
import { openSqliteStore, type SqliteOpenOptions } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Options of either backend; each reads only its own. */
export type OpenStoreOptions = SqliteOpenOptions & PostgresOpenOptions;

const ACCEPTED_FORMS = 'sqlite:<path>, sqlite://<path>, postgres://<user>:<password>@<host>/<database>, or a bare file path';

/**
 * `sqlite:path`, `sqlite://path` (so `sqlite:///abs/file.db` is absolute) or a bare path;
 * `postgres://` or `postgresql://` URLs (optionally `?schema=name`) open the PostgreSQL backend.
 */
export async function openStore(url: string, options?: OpenStoreOptions): Promise<Store> {
  const target = parseStoreUrl(url);
  switch (target.backend) {
    case 'sqlite':
      return openSqliteStore(target.path, options);
    case 'postgres': {
      // Loaded on demand, so SQLite users never load the pg driver.
      const { openPostgresStore } = await import('./postgres/postgres-store.js');
      return openPostgresStore(target.url, options);
    }
  }
}

export type StoreTarget = { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string };

export function parseStoreUrl(url: string): StoreTarget {
  if (url.trim() === '') {
    throw new LifelineError('INVALID_STORE_URL', 'configuration', `The store URL is empty; use ${ACCEPTED_FORMS}.`);
  }
  // A scheme is 2+ characters so that Windows drive letters ("C:\data\db") stay bare paths.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { backend: 'sqlite', path: url };
  if (scheme === 'postgres' || scheme === 'postgresql') return { backend: 'postgres', url };
  if (scheme === 'sqlite') {
    const rest = url.slice(scheme.length + 1);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '') throw new LifelineError('INVALID_STORE_URL', 'configuration', `The sqlite: store URL names no file path.`);
    return { backend: 'sqlite', path };
  }
  throw new LifelineError(
    'INVALID_STORE_URL',
    'configuration',
    `Unsupported store URL scheme "${scheme}:"; accepted forms are ${ACCEPTED_FORMS}.`,
  );
}
