// Connecting to PostgreSQL: URL and options, the two pools, and turning connection faults into
// StoreUnavailableError. A database URL can carry a password and error messages end up in logs,
// so nothing here ever puts the URL (or the password) into a message.
import pg from 'pg';
import { LifelineError } from '../../errors/lifeline-error.js';
import { StoreUnavailableError } from '../../errors/store-errors.js';
import { redactKnownValues, redactSecrets } from '../../errors/redact.js';

export type { PostgresOpenOptions } from './options.js';

export interface PgTarget {
  /** The URL without Lifeline's own parameters, for pg only; never shown. */
  connectionString: string;
  /** scheme://host:port/database, without credentials: safe in messages. */
  location: string;
  schema: string;
  /** Server options from the URL (`?options=`), kept when Lifeline adds its own. */
  serverOptions: string;
  /** Secrets to scrub from any message: the password as written and decoded, PGPASSWORD. */
  secrets: string[];
}

// Unquoted-identifier rules, and short enough that the channel "lifeline_<schema>" fits in
// PostgreSQL's 63-byte identifier limit.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,53}$/;

export function parsePgUrl(url: string, schemaOption: string | undefined): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause: Node's URL error carries the input, password and all.
    throw new LifelineError('INVALID_STORE_URL', 'configuration', 'The PostgreSQL store URL is not a valid URL (postgres://user:password@host:port/database).');
  }
  const schema = schemaOption ?? parsed.searchParams.get('schema') ?? 'lifeline';
  if (!SCHEMA_NAME.test(schema)) {
    throw new LifelineError(
      'INVALID_SCHEMA_NAME',
      'configuration',
      `Invalid PostgreSQL schema name "${schema.slice(0, 80)}": use 1-54 letters, digits or underscores, not starting with a digit.`,
    );
  }
  const serverOptions = parsed.searchParams.get('options') ?? '';
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('options');
  const secrets = [parsed.password, safeDecode(parsed.password), process.env['PGPASSWORD'] ?? ''].filter((s) => s.length >= 3);
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  return {
    connectionString: parsed.toString(),
    location: `${parsed.protocol}//${parsed.hostname}${port}${parsed.pathname}`,
    schema,
    serverOptions,
    secrets,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** int8 (BIGINT, count(*)) as a JS number: times are epoch ms and ids stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(target: PgTarget, size: number, extraOptions: string, timeoutMs: number): pg.Pool {
  // READ COMMITTED whatever the server's default: the lost-wake-up checks and the fences rely on
  // each statement seeing what a lock holder committed ("lock the row, then read fresh").
  const options = [target.serverOptions, '-c default_transaction_isolation=read\\ committed', extraOptions].filter((o) => o !== '').join(' ');
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: size,
    types,
    // TCP keepalive from 10 s of silence: a connection to a vanished host fails in about a minute
    // (Linux's probe interval and count) instead of after the OS default of two hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: timeoutMs,
    allowExitOnIdle: true,
    application_name: 'lifeline',
    ...(options === '' ? {} : { options }),
  });
  // An idle client whose connection drops (server restart, network) emits 'error' on the pool;
  // without a listener that would crash the process. The pool discards that client by itself.
  pool.on('error', () => {});
  return pool;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTDOWN',
  'ENETDOWN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections: the server is there but cannot take us now
]);

const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|server closed the connection|the database system is (starting up|shutting down|in recovery mode)/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Faults of the connection, not of the statement: whether a write landed is unknown. */
export function isConnectionFault(error: unknown): boolean {
  if (error instanceof LifelineError || !(error instanceof Error)) return false;
  const code = codeOf(error);
  if (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError && error.errors.some(isConnectionFault)) return true;
  return CONNECTION_MESSAGES.test(error.message);
}

export function scrub(text: string, secrets: readonly string[]): string {
  // The connection's own secrets whatever their length (parsePgUrl keeps those of 3+ chars).
  return redactKnownValues(redactSecrets(text), secrets, 1);
}

function describe(error: unknown, secrets: readonly string[]): string {
  const code = codeOf(error);
  let message = error instanceof Error ? error.message : String(error);
  if (message === '' && error instanceof AggregateError) {
    message = error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  const text = code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
  return scrub(text || 'unknown connection error', secrets);
}

/** Maps a connection fault to StoreUnavailableError; every other error is returned as is. */
export function toStoreError(error: unknown, secrets: readonly string[]): unknown {
  if (!isConnectionFault(error)) return error;
  const reason = describe(error, secrets);
  // The original error is kept as the cause only when it is free of secrets too.
  const clean = error instanceof Error && scrub(`${error.message}\n${error.stack ?? ''}`, secrets) === `${error.message}\n${error.stack ?? ''}`;
  return new StoreUnavailableError(reason, clean ? { cause: error } : undefined);
}
