// Experiment (not part of `npm run bench`): what one W1 step's commit costs on PostgreSQL, and why
// it costs more than RAW-PG's single-row INSERT. On one client, one statement after another,
// interleaved in chunks (rounds), at synchronous_commit on (flush waited for) and off (no wait):
//  - raw:        INSERT INTO t (v) VALUES ($1)  (RAW-PG)
//  - store:      the store's commitStep statement (commit-batch.ts) for a lone call, as W1 sends it
//  - no-fence:   the same without FOR KEY SHARE on the run row
//  - no-attempt: the same without the attempt row (step_results only, fenced)
//  - single:     a lone call without signal or events as a flat statement with plain parameters
//  - generic:    the store's statement with plan_cache_mode=force_generic_plan (no re-planning)
// plus WAL bytes per statement (pg_current_wal_insert_lsn) and one EXPLAIN (ANALYZE, WAL).
//   node dist/bench/experiments/pg-commit-cost.js [rounds]
import type pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { commitSql, commitValues } from '../../src/store/postgres/commit-batch.js';
import type { CommitStepArgs } from '../../src/store/store.js';
import { median, round } from '../common.js';
import { commitOneSql, commitOneValues } from './pg-commit-one.js';
import { acquirePg, connect, dropSchema, freshSchema, schemaUrl } from '../pg-common.js';

const rounds = Number(process.argv[2] ?? 7);
const CHUNK = 100;

const server = await acquirePg();
const schema = freshSchema('commitcost');
const s = `"${schema}"`;
try {
  const store = await openPostgresStore(schemaUrl(server.url, schema));
  await store.createRun({ id: 'r', workflow: 'w', input: '{}', now: Date.now() });
  const [run] = await store.claimRuns({ workerId: 'bench:1:x', host: 'bench', pid: process.pid, now: Date.now(), leaseMs: 3_600_000, limit: 1, workflows: ['w'] });
  const token = run?.lease?.token as string;
  if (!token) throw new Error('claim failed');
  await store.close();

  const client = await connect(server.url, 'lifeline-bench-commitcost');
  await client.query(`CREATE TABLE ${s}.t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT NOT NULL)`);
  const base = commitSql(s);
  const noFence = base.replace('FOR KEY SHARE OF r', '');
  const noAttempt = base.replace(/att AS \([\s\S]*?duration_ms = GREATEST\(0, EXCLUDED.ended_at - a.started_at\)\n\s*\),/, '');
  if (noFence === base || noAttempt === base) throw new Error('statement shape changed: update the experiment');

  let i = 0;
  const args = (): CommitStepArgs => {
    const n = i++;
    const now = Date.now();
    return {
      runId: 'r', token, now,
      step: { stepId: `s${n}#0`, name: `s${n}`, seq: n, kind: 'step', status: 'completed', output: JSON.stringify({ i: n, ok: true }), error: null, attempts: 1, startedAt: now, completedAt: now },
      attempt: { attempt: 1, endedAt: now, outcome: 'succeeded' },
    };
  };
  // A lone call without signal or events, as the proposed flat statement (pg-commit-one.ts).
  const single = commitOneSql(s);
  const singleValues = () => commitOneValues({ args: args(), start: null });
  const variants: Record<string, (c: pg.Client) => Promise<unknown>> = {
    raw: (c) => c.query({ name: 'raw', text: `INSERT INTO ${s}.t (v) VALUES ($1)`, values: [JSON.stringify({ i: i++, ok: true })] }),
    store: (c) => c.query({ name: 'store', text: base, values: commitValues([{ args: args(), start: null }]) }),
    'no-fence': (c) => c.query({ name: 'nofence', text: noFence, values: commitValues([{ args: args(), start: null }]) }),
    'no-attempt': (c) => c.query({ name: 'noattempt', text: noAttempt, values: commitValues([{ args: args(), start: null }]) }),
    single: (c) => c.query({ name: 'single', text: single, values: singleValues() }),
  };
  const generic = await connect(server.url, 'lifeline-bench-commitcost');
  await generic.query('SET plan_cache_mode = force_generic_plan');

  const lsn = async () => (await client.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]?.l ?? '0/0';
  const lsnBytes = (l: string) => {
    const [hi = '0', lo = '0'] = l.split('/');
    return parseInt(hi, 16) * 2 ** 32 + parseInt(lo, 16);
  };
  const results: Record<string, { ms: number[]; walBytes: number[] }> = {};
  const chunk = async (name: string, c: pg.Client, fn: (c: pg.Client) => Promise<unknown>, record: boolean) => {
    const l0 = await lsn();
    const t0 = performance.now();
    for (let k = 0; k < CHUNK; k++) await fn(c);
    const ms = (performance.now() - t0) / CHUNK;
    const wal = (lsnBytes(await lsn()) - lsnBytes(l0)) / CHUNK;
    if (!record) return;
    const r = (results[name] ??= { ms: [], walBytes: [] });
    r.ms.push(ms);
    r.walBytes.push(wal);
  };
  for (const sync of ['on', 'off']) {
    await client.query(`SET synchronous_commit = ${sync}`);
    await generic.query(`SET synchronous_commit = ${sync}`);
    for (let r = 0; r <= rounds; r++) {
      for (const [name, fn] of Object.entries(variants)) await chunk(`${name} sync=${sync}`, client, fn, r > 0);
      await chunk(`generic sync=${sync}`, generic, variants.store as (c: pg.Client) => Promise<unknown>, r > 0);
      await chunk(`single generic sync=${sync}`, generic, variants.single as (c: pg.Client) => Promise<unknown>, r > 0);
    }
  }
  process.stdout.write(`${'variant'.padEnd(22)} ms/statement (median of ${rounds} chunks of ${CHUNK})  WAL bytes/statement\n`);
  for (const [name, r] of Object.entries(results)) {
    process.stdout.write(`${name.padEnd(22)} ${String(round(median(r.ms), 4)).padEnd(10)} [${r.ms.map((v) => round(v, 3)).join(' ')}]  ${round(median(r.walBytes), 0)}\n`);
  }
  await client.query('SET synchronous_commit = on');
  const plan = await client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (ANALYZE, WAL, BUFFERS, SUMMARY) ${base}`, values: commitValues([{ args: args(), start: null }]) });
  process.stdout.write(`\nEXPLAIN (ANALYZE, WAL) of the store's statement, one call:\n${plan.rows.map((r) => r['QUERY PLAN']).filter((l) => /Planning|Execution|WAL:|^\s*(Insert|Update|LockRows|Result|CTE|Nested|Hash)/.test(l)).join('\n')}\n`);
  await client.end();
  await generic.end();
} finally {
  await dropSchema(server.url, schema).catch(() => {});
  await server.stop();
}
