// Opening a SQLite file safely: never write to a file that is not ours or is too new.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LifelineError } from '../../errors/lifeline-error.js';
import { StoreOpenError } from '../../errors/store-errors.js';
import { assertOpenableSchema, LATEST_SCHEMA_VERSION, migrate } from './migrations.js';
import { withBusyRetry } from './batcher.js';
import type { SqliteOpenOptions } from './options.js';

export type { SqliteOpenOptions } from './options.js';

const NOT_A_DATABASE = 'not a SQLite database or corrupted';

function isFileFormatError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT'));
}

const WHO = () => (typeof process.getuid === 'function' ? `this user (uid ${process.getuid()})` : 'this user');

function toOpenError(path: string, error: unknown): Error {
  if (error instanceof LifelineError) return error;
  if (isFileFormatError(error)) return new StoreOpenError(path, NOT_A_DATABASE, { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_READONLY_DIRECTORY') {
    return new StoreOpenError(path, directoryProblem(path), { cause: error });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) {
    return new StoreOpenError(path, `permission denied: ${WHO()} cannot write it`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreOpenError(path, message, { cause: error });
}

/**
 * Looks at an existing file through a read-only connection first: a corrupted file, another
 * application's database and a schema from a newer Lifeline are refused before anything (WAL
 * switch, migration) could write to it. A read-only connection on a rollback-journal file creates no side files.
 */
function probeExisting(path: string): void {
  const probe = new Database(path, { readonly: true, fileMustExist: true });
  try {
    withBusyRetry(() => {
      probe.prepare('SELECT count(*) FROM sqlite_master').get();
      assertOpenableSchema(probe, path);
    });
  } finally {
    probe.close();
  }
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

function directoryProblem(path: string): string {
  const dir = dirname(resolve(path));
  return `permission denied: ${WHO()} cannot write the directory ${dir}, where SQLite keeps the database's -wal and -shm files`;
}

/**
 * Says what is wrong with the path before SQLite does ("disk I/O error", "attempt to write a
 * readonly database"): missing directory, a directory, no file for a read, permissions.
 * Permission checks use access(2), so they follow the real rules (root may write anything).
 */
function checkPath(path: string, readOnly: boolean): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new StoreOpenError(path, `the directory ${dir} does not exist`);
  if (!existsSync(path)) {
    if (readOnly) throw new StoreOpenError(path, 'no database at this path (a read-only command never creates one; check --db or LIFELINE_DB)');
    if (!canAccess(dir, constants.W_OK | constants.X_OK)) throw new StoreOpenError(path, directoryProblem(path));
    return;
  }
  if (statSync(path).isDirectory()) throw new StoreOpenError(path, 'it is a directory, not a database file');
  if (!canAccess(path, constants.R_OK)) throw new StoreOpenError(path, `permission denied: ${WHO()} cannot read it`);
  if (!readOnly && !canAccess(path, constants.W_OK)) {
    throw new StoreOpenError(path, `permission denied: ${WHO()} cannot write it (read-only commands such as runs and show still work)`);
  }
}

/** A read-only connection on an existing, current Lifeline database: nothing is created or migrated. */
function openReadOnly(path: string, options: SqliteOpenOptions): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
    const version = withBusyRetry(() => assertOpenableSchema(db, path));
    if (version < LATEST_SCHEMA_VERSION) {
      throw new StoreOpenError(
        path,
        `its schema (version ${version}) is older than this Lifeline's (${LATEST_SCHEMA_VERSION}); a read-only command does not migrate it: run a worker or another command that writes first`,
      );
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function openDatabase(path: string, options: SqliteOpenOptions, now: number): Database.Database {
  const inMemory = path === ':memory:';
  const readOnly = options.readOnly === true && !inMemory;
  let db: Database.Database | undefined;
  try {
    if (!inMemory) checkPath(path, readOnly);
    if (readOnly) return openReadOnly(path, options);
    if (!inMemory && existsSync(path)) probeExisting(path);
    db = new Database(path);
    const opened = db;
    // busy_timeout first: switching to WAL and migrating may wait for other processes.
    opened.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
    withBusyRetry(() => {
      assertOpenableSchema(opened, path); // again: another process may have upgraded meanwhile
      if (!inMemory) opened.pragma('journal_mode = WAL');
    });
    opened.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    opened.pragma('foreign_keys = ON');
    withBusyRetry(() => migrate(opened, path, now));
    return opened;
  } catch (error) {
    db?.close();
    throw toOpenError(path, error);
  }
}
