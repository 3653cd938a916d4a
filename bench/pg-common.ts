// Shared helpers of the PostgreSQL benchmarks: the server (a throwaway one started by the test
// harness, or LIFELINE_BENCH_PG_URL), fresh schemas, the server's settings, its CPU use and its
// statistics counters, and a quick fdatasync probe of the disk the data directory lives on.
import { closeSync, fdatasyncSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startTestPostgres } from '../test/pg/pg-harness.js';
import { median, round } from './common.js';

export interface PgServer {
  url: string;
  /** 'harness' (started here, fsync on, defaults) or 'external' (LIFELINE_BENCH_PG_URL). */
  kind: 'harness' | 'external';
  stop(): Promise<void>;
}

export async function acquirePg(): Promise<PgServer> {
  const given = process.env['LIFELINE_BENCH_PG_URL'];
  if (given !== undefined && given !== '') return { url: given, kind: 'external', stop: () => Promise.resolve() };
  // The harness honours LIFELINE_TEST_PG_URL; the bench wants its own server unless told otherwise.
  const saved = process.env['LIFELINE_TEST_PG_URL'];
  delete process.env['LIFELINE_TEST_PG_URL'];
  try {
    const server = await startTestPostgres();
    return { url: server.url, kind: 'harness', stop: () => server.stop() };
  } finally {
    if (saved !== undefined) process.env['LIFELINE_TEST_PG_URL'] = saved;
  }
}

let schemaSeq = 0;
/** A schema name no other workload of this process uses. */
export function freshSchema(prefix: string): string {
  return `bench_${prefix}_${process.pid}_${Date.now().toString(36)}_${schemaSeq++}`;
}

/** The URL with `?schema=` set (Lifeline's own parameter; the store strips it before connecting). */
export function schemaUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** A connected plain client (for raw SQL, polling and statistics). */
export async function connect(url: string, applicationName = 'lifeline-bench'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  return client;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface PgServerInfo {
  kind: 'harness' | 'external';
  version: string;
  settings: Record<string, string>;
  /** Median of 200 x (8 KiB write + fdatasync) in the temp dir (where the harness puts its data). */
  fdatasyncMs?: number;
}

const SETTINGS = [
  'fsync',
  'synchronous_commit',
  'wal_sync_method',
  'full_page_writes',
  'commit_delay',
  'wal_level',
  'shared_buffers',
  'wal_buffers',
  'max_connections',
  'max_wal_size',
  'checkpoint_timeout',
  'jit',
];

export async function serverInfo(server: PgServer): Promise<PgServerInfo> {
  const client = await connect(server.url);
  try {
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown';
    const settings: Record<string, string> = {};
    for (const name of SETTINGS) settings[name] = (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? '?';
    return { kind: server.kind, version, settings, ...(server.kind === 'harness' ? { fdatasyncMs: fdatasyncProbe() } : {}) };
  } finally {
    await client.end();
  }
}

function fdatasyncProbe(n = 200): number {
  const path = join(tmpdir(), `lifeline-bench-fsync-${process.pid}`);
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(8192, 7);
  const ms: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      writeSync(fd, block, 0, block.length, (i % 16) * 8192);
      fdatasyncSync(fd);
      ms.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
  return round(median(ms), 3);
}

// ---- CPU of the server and of child processes (Linux /proc; 0 where not visible) -------------

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process, ms; undefined when it is gone or not visible. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * CPU used by one PostgreSQL server (its postmaster's children: backends, WAL writer, ...).
 * Found through a backend's pid; null when the server is not on this machine (external URL).
 */
export class ServerCpu {
  private constructor(private readonly postmaster: number) {}

  static async find(url: string): Promise<ServerCpu | null> {
    const client = await connect(url);
    try {
      const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      const postmaster = backend === undefined ? undefined : parentOf(backend);
      if (postmaster === undefined) return null;
      const cmd = readFileSync(`/proc/${postmaster}/cmdline`, 'utf8');
      return cmd.includes('postgres') ? new ServerCpu(postmaster) : null;
    } catch {
      return null;
    } finally {
      await client.end();
    }
  }

  /** CPU ms of every child process, by pid. */
  snapshot(): Map<number, number> {
    const out = new Map<number, number>();
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || parentOf(pid) !== this.postmaster) continue;
      const ms = processCpuMs(pid);
      if (ms !== undefined) out.set(pid, ms);
    }
    return out;
  }

  /** CPU ms used between two snapshots (processes started in between count in full). */
  static delta(before: Map<number, number>, after: Map<number, number>): number {
    let sum = 0;
    for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
    return sum;
  }
}

// ---- statistics counters ---------------------------------------------------------------------

export interface PgCounters {
  /** Committed transactions of the database (pg_stat_database.xact_commit). */
  xactCommit: number;
  /** pg_stat_wal (PostgreSQL 14+): WAL records, bytes, write() and fsync calls. */
  walRecords: number;
  walBytes: number;
  walWrite: number;
  walSync: number;
}

/**
 * Reads the cumulative counters. Backends report their statistics when they go idle (at most
 * once a second) and when they exit, so deltas are only exact once the measured connections
 * closed (W2 reads them after its worker processes exited).
 */
export async function readCounters(client: pg.Client): Promise<PgCounters> {
  const db = (await client.query<{ x: string }>('SELECT xact_commit AS x FROM pg_stat_database WHERE datname = current_database()')).rows[0];
  let wal = { wal_records: '0', wal_bytes: '0', wal_write: '0', wal_sync: '0' };
  try {
    wal = (await client.query<typeof wal>('SELECT wal_records, wal_bytes, wal_write, wal_sync FROM pg_stat_wal')).rows[0] ?? wal;
  } catch {
    // before PostgreSQL 14
  }
  return {
    xactCommit: Number(db?.x ?? 0),
    walRecords: Number(wal.wal_records),
    walBytes: Number(wal.wal_bytes),
    walWrite: Number(wal.wal_write),
    walSync: Number(wal.wal_sync),
  };
}

export function counterDelta(a: PgCounters, b: PgCounters): PgCounters {
  return {
    xactCommit: b.xactCommit - a.xactCommit,
    walRecords: b.walRecords - a.walRecords,
    walBytes: b.walBytes - a.walBytes,
    walWrite: b.walWrite - a.walWrite,
    walSync: b.walSync - a.walSync,
  };
}
