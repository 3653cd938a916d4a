// Picks a Store backend from a URL. Error messages never echo the URL itself: a database URL
// can carry a password, and error messages end up in logs.
import { LifelineError } from '../errors/lifeline-error.js';
import { openSqliteStore, type SqliteOpenOptions } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export type OpenStoreOptions = SqliteOpenOptions;

const ACCEPTED_FORMS = 'sqlite:<path>, sqlite://<path>, or a bare file path';

/**
 * `sqlite:path`, `sqlite://path` (so `sqlite:///abs/file.db` is absolute) or a bare path.
 * PostgreSQL URLs are recognised but the backend is not there yet.
 */
export async function openStore(url: string, options?: OpenStoreOptions): Promise<Store> {
  const target = parseStoreUrl(url);
  switch (target.backend) {
    case 'sqlite':
      return openSqliteStore(target.path, options);
    case 'postgres':
      // The PostgreSQL backend plugs in here (it passes test/conformance/store-conformance.ts).
      throw new LifelineError(
        'BACKEND_UNAVAILABLE',
        'PostgreSQL support is not available yet in this version of Lifeline; use a SQLite file ' +
          `(${ACCEPTED_FORMS}) for now.`,
      );
  }
}

export type StoreTarget = { backend: 'sqlite'; path: string } | { backend: 'postgres' };

export function parseStoreUrl(url: string): StoreTarget {
  if (url.trim() === '') {
    throw new LifelineError('INVALID_STORE_URL', `The store URL is empty; use ${ACCEPTED_FORMS}.`);
  }
  // A scheme is 2+ characters so that Windows drive letters ("C:\data\db") stay bare paths.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { backend: 'sqlite', path: url };
  if (scheme === 'postgres' || scheme === 'postgresql') return { backend: 'postgres' };
  if (scheme === 'sqlite') {
    const rest = url.slice(scheme.length + 1);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '') throw new LifelineError('INVALID_STORE_URL', `The sqlite: store URL names no file path.`);
    return { backend: 'sqlite', path };
  }
  throw new LifelineError(
    'INVALID_STORE_URL',
    `Unsupported store URL scheme "${scheme}:"; accepted forms are ${ACCEPTED_FORMS} ` +
      '(PostgreSQL URLs postgres:// are recognised but not available yet).',
  );
}
