// INSIGHT: the insight queries (patterns, health) on 1,000,000 generated attempts, on SQLite and
// PostgreSQL (issue 10 §9, target <= 1 s a query). Per backend:
//   1. load the runs that started before the last hour (bulk, test/insight/load-history.ts);
//   2. the first health query: it rolls up every attempt loaded (the one-time catch-up);
//   3. load the last hour's runs (~2 % of the attempts): what an hourly query finds new;
//   4. cold: patterns, then health (which catches the rollup up on those rows first);
//   5. warm: each query REPEAT times, median; also with --workflow; then the store is reopened
//      and each query timed once more (prepared statements and caches of the process gone).
// `node build/bench/insight.js [attempts]` runs it alone (default 1,000,000); run-all.ts runs it
// as the `insight` workload.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { insight } from '../src/insight/insight.js';
import type { Store } from '../src/store/store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { insightHistoryRuns, type HistoryRunRows } from '../src/testing/insight-history.js';
import { loadHistoryPostgres, loadHistorySqlite } from '../test/insight/load-history.js';
import { median, noiseMeter, round, tempDir, type Noise } from './common.js';
import { acquirePg, connect, dropSchema, freshSchema } from './pg-common.js';

const HOUR = 3_600_000;
/** The history's "now": queries run as of this time. */
const NOW = Date.UTC(2026, 10, 30, 12, 30);
const REPEAT = 5;
export const INSIGHT_TARGET_MS = 1_000;

export interface InsightBackendResult {
  attempts: number;
  loadMs: { before: number; lastHour: number };
  /** The first health query after the bulk load: rolls up every attempt loaded. */
  initialCatchUpMs: number;
  cold: { patternsMs: number; healthMs: number };
  warm: { patternsMs: number; healthMs: number; patternsWorkflowMs: number; healthWorkflowMs: number };
  reopened: { patternsMs: number; healthMs: number };
  patterns: number;
  healthRows: number;
  noise: Noise;
}

export interface InsightResult {
  sqlite: InsightBackendResult;
  postgres: InsightBackendResult;
}

/** The history in two parts: runs started before the last hour (streamed), and the others (kept for later). */
function split(attempts: number): { before: Iterable<HistoryRunRows>; lastHour: HistoryRunRows[] } {
  const lastHour: HistoryRunRows[] = [];
  function* before() {
    for (const r of insightHistoryRuns({ seed: 1, attempts, now: NOW })) {
      if (r.run.createdAt >= NOW - HOUR) lastHour.push(r);
      else yield r;
    }
  }
  return { before: before(), lastHour };
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [round(performance.now() - t0, 1), value];
}

async function queries(
  open: () => Promise<Store>,
  load: (rows: Iterable<HistoryRunRows>) => Promise<number>,
  attempts: number,
  log: (s: string) => void,
): Promise<InsightBackendResult> {
  const stop = noiseMeter();
  const { before, lastHour } = split(attempts);
  let store = await open();
  const api = () => insight({ store, clock: { now: () => NOW } });
  const [loadBefore, loadedBefore] = await timed(() => load(before));
  log(`  loaded ${loadedBefore} attempts in ${loadBefore} ms`);
  const [initialCatchUpMs] = await timed(() => api().health());
  log(`  first health query (rolls up all of them): ${initialCatchUpMs} ms`);
  const [loadLast, loadedLast] = await timed(() => load(lastHour));
  log(`  loaded the last hour: ${loadedLast} attempts in ${loadLast} ms`);
  const [coldPatterns, patterns] = await timed(() => api().patterns());
  const [coldHealth, health] = await timed(() => api().health());
  log(`  cold: patterns ${coldPatterns} ms (${patterns.length}), health ${coldHealth} ms (${health.length} rows)`);
  const warm = async (fn: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < REPEAT; i++) times.push((await timed(fn))[0]);
    return round(median(times), 1);
  };
  const result = {
    patternsMs: await warm(() => api().patterns()),
    healthMs: await warm(() => api().health()),
    patternsWorkflowMs: await warm(() => api().patterns({ workflow: 'research' })),
    healthWorkflowMs: await warm(() => api().health({ workflow: 'research' })),
  };
  log(`  warm (median of ${REPEAT}): ${JSON.stringify(result)}`);
  await store.close();
  store = await open();
  const [reopenedPatterns] = await timed(() => api().patterns());
  const [reopenedHealth] = await timed(() => api().health());
  log(`  reopened: patterns ${reopenedPatterns} ms, health ${reopenedHealth} ms`);
  await store.close();
  return {
    attempts: loadedBefore + loadedLast,
    loadMs: { before: loadBefore, lastHour: loadLast },
    initialCatchUpMs,
    cold: { patternsMs: coldPatterns, healthMs: coldHealth },
    warm: result,
    reopened: { patternsMs: reopenedPatterns, healthMs: reopenedHealth },
    patterns: patterns.length,
    healthRows: health.length,
    noise: stop(),
  };
}

export async function benchInsight(attempts = 1_000_000, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<InsightResult> {
  const tmp = tempDir('lifeline-bench-insight-');
  let sqlite: InsightBackendResult;
  try {
    const path = join(tmp.dir, 'insight.db');
    log('insight: SQLite');
    sqlite = await queries(
      () => openSqliteStore(path),
      (rows) => Promise.resolve(loadHistorySqlite(path, rows)),
      attempts,
      log,
    );
  } finally {
    tmp.cleanup();
  }
  log('insight: PostgreSQL');
  const server = await acquirePg();
  const schema = freshSchema('insight');
  try {
    const postgres = await queries(
      () => openPostgresStore(server.url, { schema }),
      async (rows) => {
        const client = await connect(server.url);
        try {
          return await loadHistoryPostgres(client, schema, rows);
        } finally {
          await client.end();
        }
      },
      attempts,
      log,
    );
    return { sqlite, postgres };
  } finally {
    await dropSchema(server.url, schema).catch(() => undefined);
    await server.stop();
  }
}

/** The rows run-all.ts prints. */
export function insightRows(r: InsightResult): Array<[string, string, string, string]> {
  const rows: Array<[string, string, string, string]> = [];
  const met = (ms: number) => (ms <= INSIGHT_TARGET_MS ? 'met' : 'MISSED');
  for (const [name, b] of [
    ['SQLite', r.sqlite],
    ['PostgreSQL', r.postgres],
  ] as const) {
    const worst = Math.max(b.cold.patternsMs, b.cold.healthMs, ...Object.values(b.warm), b.reopened.patternsMs, b.reopened.healthMs);
    rows.push([`INSIGHT ${name}, ${b.attempts} attempts: slowest query`, `${worst} ms`, `<= ${INSIGHT_TARGET_MS} ms`, met(worst)]);
    rows.push([`  cold patterns / health (after the last hour's rows)`, `${b.cold.patternsMs} / ${b.cold.healthMs} ms`, '', '']);
    rows.push([`  warm patterns / health`, `${b.warm.patternsMs} / ${b.warm.healthMs} ms`, '', '']);
    rows.push([`  first query after bulk load (rolls up all, diag.)`, `${b.initialCatchUpMs} ms`, '', '']);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const attempts = process.argv[2] === undefined ? 1_000_000 : Number(process.argv[2]);
  const result = await benchInsight(attempts);
  for (const row of insightRows(result)) process.stdout.write(`${row.join(' | ')}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
