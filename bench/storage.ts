// STORAGE: bytes stored per run (issue 12 §7), on SQLite and PostgreSQL, for runs of the demo's
// shape (examples/demo/report-pipeline.ts: triage, data_helper, data, optimizations,
// action_plan, report; outputs of a few hundred bytes each; one run in four retries `data` once
// after a transient failure). Measured as the growth of the database over N runs after a
// checkpoint: SQLite by dbstat (bytes of pages per table and index) and page counts; PostgreSQL by
// pg_total_relation_size (table + indexes + TOAST) per table of the schema. Then the runs are
// pruned (pruneRuns) and what is left or reusable is reported.
//   node build/bench/storage.js [sqlite] [pg] [--runs N]     (after `npm run prebench`)
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Lifeline, defineWorkflow, pruneRuns } from '../src/index.js';
import { openStore } from '../src/store/open-store.js';
import { round, tempDir } from './common.js';
import { acquirePg, connect, dropSchema, freshSchema, schemaUrl } from './pg-common.js';

const DAY = 86_400_000;
/** The prune's clock: 31 days after the runs, so every run is older than `olderThan: '30d'`. */
const LATER = { now: () => Date.now() + 31 * DAY };
const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `w${(seed * 31 + i * 7) % 997}`).join(' ');

/** The demo's pipeline, with its outputs' shapes and sizes and no model latency. */
const pipeline = defineWorkflow('storage.report', async (ctx, input: { topic: string; n: number }) => {
  const triage = await ctx.step('triage', () => ({ dataSufficiency: input.n % 2 === 0 ? 'partial' : 'sufficient', reason: words(20, input.n) }));
  let sources = [input.topic];
  if (triage.dataSufficiency !== 'sufficient') {
    const helped = await ctx.step('data_helper', () => ({ extraSources: [1, 2, 3].map((i) => `https://sources.example/${input.topic}/${i}`) }));
    sources = [...sources, ...helped.extraSources];
  }
  const data = await ctx.step(
    'data',
    ({ attempt }) => {
      if (input.n % 4 === 0 && attempt === 1) throw Object.assign(new Error('upstream reset (simulated)'), { code: 'ECONNRESET' });
      return { facts: Array.from({ length: 8 }, (_, i) => words(12, input.n + i)), sources };
    },
    { retry: { initialDelayMs: 1, maxDelayMs: 1, jitter: 'none' } },
  );
  const optimizations = await ctx.step('optimizations', () => ({ ideas: data.facts.slice(0, 5).map((f) => `improve: ${f.slice(0, 40)}`) }));
  const plan = await ctx.step('action_plan', () => ({ steps: optimizations.ideas.map((idea, i) => ({ order: i + 1, action: idea, owner: 'team' })) }));
  return ctx.step('report', () => ({ title: `Report: ${input.topic}`, sections: plan.steps.map((s) => `${s.order}. ${s.action}`) }));
});

async function runAll(db: string | Awaited<ReturnType<typeof openStore>>, runs: number): Promise<Lifeline> {
  const lifeline = await Lifeline.open({ db, workflows: [pipeline] });
  const worker = lifeline.worker({ concurrency: 20, pollMs: 5 });
  worker.start();
  const handles = [];
  for (let n = 0; n < runs; n++) handles.push(await lifeline.start(pipeline, { topic: `topic-${n}`, n }));
  await Promise.all(handles.map((h) => h.result()));
  await worker.stop();
  return lifeline;
}

interface SqliteSizes {
  pages: number;
  pageSize: number;
  freelist: number;
  byObject: Record<string, number>;
}

function sqliteSizes(path: string): SqliteSizes {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as Array<{ name: string; bytes: number }>;
    return {
      pages: db.pragma('page_count', { simple: true }) as number,
      pageSize: db.pragma('page_size', { simple: true }) as number,
      freelist: db.pragma('freelist_count', { simple: true }) as number,
      byObject: Object.fromEntries(rows.map((r) => [r.name, r.bytes])),
    };
  } finally {
    db.close();
  }
}

function perRun(before: Record<string, number>, after: Record<string, number>, runs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(after)) {
    const grown = bytes - (before[name] ?? 0);
    if (grown > 0) out[name] = round(grown / runs, 0);
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

async function sqlite(runs: number) {
  const tmp = tempDir('storage');
  try {
    const path = join(tmp.dir, 'storage.db');
    await (await Lifeline.open({ db: path })).close(); // migrated, empty
    const before = sqliteSizes(path);
    const lifeline = await runAll(path, runs);
    await lifeline.close();
    const after = sqliteSizes(path);
    const counts = await countRows(path);
    const pruneStore = await openStore(path);
    const pruned = await pruneRuns({ store: pruneStore, clock: LATER }, { olderThan: '30d' });
    await pruneStore.close();
    const afterPrune = sqliteSizes(path);
    const grownBytes = (after.pages - before.pages) * after.pageSize;
    return {
      runs,
      rowsPerRun: counts,
      bytesPerRun: round(grownBytes / runs, 0),
      byObjectPerRun: perRun(before.byObject, after.byObject, runs),
      fileMiB: round((after.pages * after.pageSize) / 2 ** 20, 2),
      pruned: {
        runs: pruned.runs,
        batches: pruned.batches,
        freePagesAfter: afterPrune.freelist,
        freeMiB: round((afterPrune.freelist * afterPrune.pageSize) / 2 ** 20, 2),
      },
    };
  } finally {
    tmp.cleanup();
  }
}

async function countRows(path: string): Promise<Record<string, number>> {
  const db = new Database(path, { readonly: true });
  try {
    const runs = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    const out: Record<string, number> = {};
    for (const t of ['step_results', 'attempts', 'events']) out[t] = round((db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n / runs, 2);
    return out;
  } finally {
    db.close();
  }
}

async function postgres(runs: number) {
  const server = await acquirePg();
  const schema = freshSchema('storage');
  const url = schemaUrl(server.url, schema);
  const client = await connect(server.url);
  const sizes = async (): Promise<Record<string, number>> => {
    await client.query('CHECKPOINT');
    const res = await client.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    return Object.fromEntries(res.rows.map((r) => [r.name, Number(r.bytes)]));
  };
  try {
    const store = await openStore(url);
    const before = await sizes();
    const lifeline = await runAll(store, runs);
    await lifeline.close();
    await store.close();
    const after = await sizes();
    const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
    const pruneStore = await openStore(url);
    const pruned = await pruneRuns({ store: pruneStore, clock: LATER }, { olderThan: '30d' });
    await pruneStore.close();
    return {
      runs,
      bytesPerRun: round((total(after) - total(before)) / runs, 0),
      byTablePerRun: perRun(before, after, runs),
      totalMiB: round(total(after) / 2 ** 20, 2),
      pruned: { runs: pruned.runs, batches: pruned.batches },
    };
  } finally {
    await client.end();
    await dropSchema(server.url, schema);
    await server.stop();
  }
}

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 1000;
const which = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const result: Record<string, unknown> = { runs, shape: 'demo report pipeline: 5-6 steps, one run in four retries `data` once' };
if (which.length === 0 || which.includes('sqlite')) result.sqlite = await sqlite(runs);
if (which.length === 0 || which.includes('pg')) result.postgres = await postgres(runs);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
