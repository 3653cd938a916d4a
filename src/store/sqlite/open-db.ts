// Opening a SQLite file safely: never write to a file that is not ours or is too new.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LifelineError } from '../../errors/lifeline-error.js';
import { StoreOpenError } from '../../errors/store-errors.js';
import { assertSchemaNotTooNew, migrate } from './migrations.js';
import { withBusyRetry } from './write-batcher.js';
import type { SqliteOpenOptions } from './options.js';

export type { SqliteOpenOptions } from './options.js';

const NOT_A_DATABASE = 'not a SQLite database or corrupted';

function isFileFormatError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT'));
}

function toOpenError(path: string, error: unknown): Error {
  if (error instanceof LifelineError) return error;
  if (isFileFormatError(error)) return new StoreOpenError(path, NOT_A_DATABASE, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new StoreOpenError(path, message, { cause: error });
}

/**
 * Looks at an existing file through a read-only connection first: a foreign or corrupted file
 * and a schema from a newer Lifeline are refused before anything (WAL switch, migration) could
 * write to it. A read-only connection on a rollback-journal file creates no side files.
 */
function probeExisting(path: string): void {
  const probe = new Database(path, { readonly: true, fileMustExist: true });
  try {
    withBusyRetry(() => {
      probe.prepare('SELECT count(*) FROM sqlite_master').get();
      assertSchemaNotTooNew(probe, path);
    });
  } finally {
    probe.close();
  }
}

export function openDatabase(path: string, options: SqliteOpenOptions, now: number): Database.Database {
  const inMemory = path === ':memory:';
  if (!inMemory) {
    const dir = dirname(resolve(path));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new StoreOpenError(path, `the directory ${dir} does not exist`);
    }
  }
  let db: Database.Database | undefined;
  try {
    if (!inMemory && existsSync(path)) probeExisting(path);
    db = new Database(path);
    const opened = db;
    // busy_timeout first: switching to WAL and migrating may wait for other processes.
    opened.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
    withBusyRetry(() => {
      assertSchemaNotTooNew(opened, path); // again: another process may have upgraded meanwhile
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
