// One place that tells what kind of failure a store error is, for every backend. The engine acts
// on the kind (src/engine/run-execution.ts), never on a backend's codes:
// - unavailable: the connection failed, the outcome is unknown; retried with backoff (store-retry.ts);
// - lease_lost: the write was fenced out; another worker owns the run;
// - resource: the database is out of disk, memory or another resource; no write will land until
//   someone frees it, whatever run it is for, so the worker stops claiming for a while;
// - deterministic: the database refused these values (a constraint, a value it cannot hold); the
//   same write fails the same way every time, so the run fails with the store's message;
// - unknown: anything else; handled as an unknown outcome (abandoned to recovery, and bounded by
//   the parking of poison runs).
import { LeaseLostError, StoreUnavailableError } from '../errors/store-errors.js';

export type StoreFaultKind = 'unavailable' | 'lease_lost' | 'resource' | 'deterministic' | 'unknown';

// SQLite result codes as better-sqlite3 reports them (extended codes, e.g. SQLITE_CONSTRAINT_NOTNULL).
const SQLITE_RESOURCE = [
  'SQLITE_FULL', // database or disk is full (also max_page_count reached)
  'SQLITE_NOMEM',
  'SQLITE_IOERR_NOMEM',
  'SQLITE_IOERR_WRITE', // what a failed write(2) (ENOSPC, EDQUOT) surfaces as on some systems
  'SQLITE_IOERR_FSYNC',
  'SQLITE_IOERR_TRUNCATE',
  'SQLITE_IOERR_SHMSIZE', // cannot grow the -shm file: no space
  'SQLITE_IOERR_SHMMAP',
  'SQLITE_READONLY', // the file or its directory stopped being writable
];
const SQLITE_DETERMINISTIC = ['SQLITE_CONSTRAINT', 'SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_RANGE'];

// PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const PG_RESOURCE_CLASS = '53'; // insufficient_resources: 53100 disk_full, 53200 out_of_memory, 53400 ...
const PG_UNAVAILABLE = '53300'; // too_many_connections: mapped to StoreUnavailableError by the store
const PG_DETERMINISTIC_CLASSES = ['22', '23', '54']; // data exception, integrity constraint, program limit

export function classifyStoreFault(error: unknown): StoreFaultKind {
  if (error instanceof StoreUnavailableError) return 'unavailable';
  if (error instanceof LeaseLostError) return 'lease_lost';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_')) {
      if (SQLITE_RESOURCE.some((c) => code === c || code.startsWith(`${c}_`))) return 'resource';
      if (SQLITE_DETERMINISTIC.some((c) => code === c || code.startsWith(`${c}_`))) return 'deterministic';
      return 'unknown';
    }
    if (/^[0-9A-Z]{5}$/.test(code)) {
      if (code.startsWith(PG_RESOURCE_CLASS) && code !== PG_UNAVAILABLE) return 'resource';
      if (PG_DETERMINISTIC_CLASSES.includes(code.slice(0, 2))) return 'deterministic';
      return 'unknown';
    }
  }
  // A value the driver cannot bind at all (better-sqlite3: "SQLite3 can only bind numbers,
  // strings, bigints, buffers, and null"; pg: a type it cannot serialise) fails the same way again.
  if (error instanceof TypeError || error instanceof RangeError) return 'deterministic';
  return 'unknown';
}
