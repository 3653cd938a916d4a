// Picks a Store backend from a URL. Error messages never echo the URL itself: a database URL
// can carry a password, and error messages end up in logs.
import { LifelineError } from '../errors/lifeline-error.js';
import { checkStoreOptions } from '../options/public-options.js';
import type { PostgresOpenOptions } from './postgres/options.js';
import type { SqliteOpenOptions } from './sqlite/options.js';
import * as sqlite from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Options of either backend; each reads only its own. */
export type OpenStoreOptions = SqliteOpenOptions & PostgresOpenOptions;

const ACCEPTED_FORMS = 'sqlite:<path>, sqlite://<path>, postgres://<user>:<password>@<host>/<database>, or a bare file path';

/**
 * `sqlite:path`, `sqlite://path` (so `sqlite:///abs/file.db` is absolute) or a bare path;
 * `postgres://` or `postgresql://` URLs (optionally `?schema=name`) open the PostgreSQL backend.
 */
export async function openStore(url: string, options?: OpenStoreOptions): Promise<Store> {
  checkStoreOptions(options);
  const target = parseStoreUrl(url);
  switch (target.backend) {
    case 'sqlite':
      return sqlite.openSqliteStore(target.path, options);
    case 'postgres':
      return (await loadPostgres()).openPostgresStore(target.url, options);
  }
}

/** The location as it may be shown: a file path, or a PostgreSQL URL without its password. */
export function redactedLocation(url: string): string {
  const target = parseStoreUrl(url);
  if (target.backend === 'sqlite') return target.path;
  try {
    const parsed = new URL(target.url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL URL (not a valid URL)';
  }
}

/** Opens (creating or migrating) the SQLite store in the file at `path`, or `:memory:`. */
export async function openSqliteStore(path: string, options?: SqliteOpenOptions): Promise<Store> {
  checkStoreOptions(options, 'openSqliteStore');
  return sqlite.openSqliteStore(path, options);
}

const PG_MISSING = 'PostgreSQL URLs need the "pg" package, an optional peer dependency of lifeline-workflows: run `npm install pg`.';

function isMissingPg(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ERR_MODULE_NOT_FOUND' && typeof e.message === 'string' && /['"]pg['"]/.test(e.message);
}

/** Opens the PostgreSQL store. The pg driver is loaded only now (an optional peer), so SQLite users never load or install it. */
export async function openPostgresStore(url: string, options?: PostgresOpenOptions): Promise<Store> {
  checkStoreOptions(options, 'openPostgresStore');
  return (await loadPostgres()).openPostgresStore(url, options);
}

/** The PostgreSQL backend, loaded only when used (pg is an optional peer dependency). */
async function loadPostgres(): Promise<typeof import('./postgres/postgres-store.js')> {
  return import('./postgres/postgres-store.js').catch((error: unknown) => {
    throw isMissingPg(error) ? new LifelineError('STORE_DRIVER_MISSING', 'configuration', PG_MISSING, { cause: error }) : error;
  });
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
  throw new LifelineError('INVALID_STORE_URL', 'configuration', `Unsupported store URL scheme "${scheme}:"; accepted forms are ${ACCEPTED_FORMS}.`);
}
