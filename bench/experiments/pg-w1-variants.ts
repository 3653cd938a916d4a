// Experiment (not part of `npm run bench`): W1-PG (one run, 200 sequential steps) with the store as
// it is and with the proposed changes applied at runtime (src/ untouched), paired per round with
// RAW-PG autocommit chunks (200 before, 200 after), variants rotated within each round:
//  - as-is
//  - lone-commit:   a commitStep batch of one call without signal/events is written by the flat
//                   statement of pg-commit-one.ts (the batcher's write function is swapped)
//  - generic-plans: the store's sessions run with plan_cache_mode=force_generic_plan (URL options)
//  - both
//   node dist/bench/experiments/pg-w1-variants.js [rounds]
import { Lifeline } from '../../src/engine/lifeline.js';
import { openStore } from '../../src/store/open-store.js';
import type { CommitCall, CommitResult } from '../../src/store/postgres/commit-batch.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { median, noiseMeter, round } from '../common.js';
import { acquirePg, dropSchema, freshSchema, schemaUrl } from '../pg-common.js';
import { RawPgCommitter } from '../pg-raw.js';
import { commitOneSql, commitOneValues, isLoneCall } from './pg-commit-one.js';

const rounds = Number(process.argv[2] ?? 7);
const STEPS = 200;

const w1 = defineWorkflow('bench-pg-w1-variants', async (ctx, input: { steps: number }) => {
  for (let i = 0; i < input.steps; i++) await ctx.step(`s${i}`, () => ({ i, ok: true }));
  return { steps: input.steps };
});

interface Internals {
  exec: { query: (kind: 'durable', name: string, text: string, values: unknown[]) => Promise<{ rows: CommitResult[] }> };
  steps: { commits: { write: (calls: CommitCall[]) => Promise<CommitResult[]> } };
}

function patchLoneCommit(store: unknown, schema: string): void {
  const internals = store as Internals;
  const original = internals.steps.commits.write;
  const text = commitOneSql(`"${schema}"`);
  internals.steps.commits.write = async (calls) =>
    isLoneCall(calls)
      ? (await internals.exec.query('durable', 'll_commit_one', text, commitOneValues(calls[0] as CommitCall))).rows
      : original(calls);
}

const server = await acquirePg();
const opened: Array<{ name: string; lifeline: Lifeline; close: () => Promise<void>; ms: number[]; ratios: number[] }> = [];
try {
  const raw = await RawPgCommitter.open(server.url);
  for (const name of ['as-is', 'lone-commit', 'generic-plans', 'both']) {
    const schema = freshSchema('w1v');
    let url = schemaUrl(server.url, schema);
    if (name === 'generic-plans' || name === 'both') {
      const u = new URL(url);
      u.searchParams.set('options', '-c plan_cache_mode=force_generic_plan');
      url = u.toString();
    }
    const store = await openStore(url);
    if (name === 'lone-commit' || name === 'both') patchLoneCommit(store, schema);
    const lifeline = await Lifeline.open({ db: store, workflows: [w1] });
    lifeline.worker().start();
    opened.push({
      name, lifeline, ms: [], ratios: [],
      close: async () => {
        await lifeline.close();
        await store.close();
        await dropSchema(server.url, schema);
      },
    });
  }
  const noise = noiseMeter();
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < opened.length; k++) {
      const v = opened[(k + r) % opened.length] as (typeof opened)[number];
      const a = await raw.autocommit(STEPS);
      const t0 = performance.now();
      await (await v.lifeline.start(w1, { steps: STEPS })).result();
      const ms = (performance.now() - t0) / STEPS;
      const b = await raw.autocommit(STEPS);
      if (r === 0) continue;
      v.ms.push(ms);
      v.ratios.push(ms / ((a + b) / 2));
    }
  }
  const n = noise();
  await raw.close();
  process.stdout.write(`W1-PG variants, ${rounds} rounds (machine busy ${n.machineBusyPct}%, load ${n.loadAvg1})\n`);
  for (const v of opened) {
    process.stdout.write(`${v.name.padEnd(14)} ${round(median(v.ms), 4)} ms/step   paired W1/RAW ${round(median(v.ratios), 3)}x   [${v.ratios.map((x) => round(x, 2)).join(' ')}]\n`);
  }
} finally {
  for (const v of opened) await v.close();
  await server.stop();
}
