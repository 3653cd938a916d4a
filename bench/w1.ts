// W1: one run of 200 sequential steps returning { i, ok: true }; ms per step from start() to
// result(). One warm-up round, then 5 measured rounds. fsync latency of the disk drifts by 2x
// over seconds, so each round sandwiches the W1 run between two RAW chunks (1000 commits
// before, 1000 after) and the ratio is taken within the round (paired), then the median.
import { join } from 'node:path';
import { Lifeline } from '../src/engine/lifeline.js';
import { openStore } from '../src/store/open-store.js';
import { defineWorkflow } from '../src/workflow/define.js';
import type { Store } from '../src/store/store.js';
import { median, round, tempDir } from './common.js';
import { installCommitProbe, resetCounters, snapshot, type CommitCounters } from './probe.js';
import { RawCommitter } from './raw.js';
import { StepSqlCommitter } from './step-sql.js';

/** W1's workflow: `steps` sequential steps returning a small object (shared by the SQLite and PostgreSQL runs). */
export const w1 = defineWorkflow('bench-w1', async (ctx, input: { steps: number }) => {
  for (let i = 0; i < input.steps; i++) {
    await ctx.step(`s${i}`, () => ({ i, ok: true }));
  }
  return { steps: input.steps };
});

export interface W1Round {
  rawMsPerCommit: number;
  stepSqlMsPerStep: number;
  w1MsPerStep: number;
  ratio: number;
  counters: CommitCounters;
}

export interface W1Result {
  steps: number;
  rounds: W1Round[];
  msPerStep: number;
  /** Median over rounds of W1 / RAW measured in the same round. */
  pairedRatio: number;
  rawMsPerCommit: number;
  stepSqlMsPerStep: number;
  /** Store transactions per step and ms inside them, median round. */
  perStep: { commits: number; durableCommits: number; ops: number; commitMs: number; otherMs: number };
  /** The same workload at synchronous=NORMAL (no fsync per commit). */
  normalMsPerStep: number;
  /** STEP-SQL at NORMAL (a step's store writes without fsync) and RAW at NORMAL, same database age. */
  stepSqlNormalMsPerStep: number;
  rawNormalMsPerCommit: number;
  /** The workload on a store whose step writes (startAttempt, commitStep, events) do nothing: the engine alone. */
  engineOnlyMsPerStep: number;
}

/** A store whose per-step writes are no-ops (claims, runs and finishes are real). */
function withoutStepWrites(store: Store): Store {
  const noop = () => Promise.resolve();
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'startAttempt' || key === 'commitStep' || key === 'endAttempt' || key === 'appendEvents') return noop;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function openW1(path: string, synchronous: 'FULL' | 'NORMAL', wrap: (s: Store) => Store = (s) => s) {
  const lifeline = await Lifeline.open({ db: wrap(await openStore(path, { synchronous })), workflows: [w1] });
  lifeline.worker().start();
  return lifeline;
}

async function runW1(lifeline: Lifeline, steps: number): Promise<number> {
  const t0 = performance.now();
  const handle = await lifeline.start(w1, { steps });
  await handle.result();
  return (performance.now() - t0) / steps;
}

export async function benchW1(steps = 200, rounds = 5): Promise<W1Result> {
  installCommitProbe();
  const tmp = tempDir('w1');
  const raw = new RawCommitter('FULL');
  const sql = await StepSqlCommitter.open();
  const lifeline = await openW1(join(tmp.dir, 'w1.db'), 'FULL');
  const measured: W1Round[] = [];
  try {
    for (let r = 0; r <= rounds; r++) {
      const rawA = raw.commits(1000);
      const stepSql = sql.steps(steps);
      resetCounters();
      const ms = await runW1(lifeline, steps);
      const counters = snapshot();
      const rawB = raw.commits(1000);
      const rawMean = (rawA + rawB) / 2;
      if (r === 0) continue; // warm-up round
      measured.push({
        rawMsPerCommit: round(rawMean, 4),
        stepSqlMsPerStep: round(stepSql, 4),
        w1MsPerStep: round(ms, 4),
        ratio: round(ms / rawMean, 3),
        counters: { ...counters, commitMs: round(counters.commitMs, 2) },
      });
    }
  } finally {
    await lifeline.close(); // stops the worker; the store was passed in, so close it too
    await lifeline.store.close();
    await sql.close();
    raw.close();
  }

  const normalRuns = await repeatW1(join(tmp.dir, 'w1-normal.db'), 'NORMAL', steps, rounds);
  const engineRuns = await repeatW1(join(tmp.dir, 'w1-engine.db'), 'NORMAL', steps, rounds, withoutStepWrites);
  const sqlNormal = await StepSqlCommitter.open({ synchronous: 'NORMAL' });
  const rawNormal = new RawCommitter('NORMAL');
  const stepSqlNormal = sqlNormal.steps(rounds * steps);
  const rawNormalMs = rawNormal.commits(rounds * steps);
  await sqlNormal.close();
  rawNormal.close();
  tmp.cleanup();

  const mid = [...measured].sort((a, b) => a.w1MsPerStep - b.w1MsPerStep)[Math.floor(measured.length / 2)] as W1Round;
  return {
    steps,
    rounds: measured,
    msPerStep: round(median(measured.map((m) => m.w1MsPerStep)), 4),
    pairedRatio: round(median(measured.map((m) => m.ratio)), 3),
    rawMsPerCommit: round(median(measured.map((m) => m.rawMsPerCommit)), 4),
    stepSqlMsPerStep: round(median(measured.map((m) => m.stepSqlMsPerStep)), 4),
    perStep: {
      commits: round(mid.counters.commits / steps, 3),
      durableCommits: round(mid.counters.durableCommits / steps, 3),
      ops: round(mid.counters.ops / steps, 3),
      commitMs: round(mid.counters.commitMs / steps, 4),
      otherMs: round(mid.w1MsPerStep - mid.counters.commitMs / steps, 4),
    },
    normalMsPerStep: round(median(normalRuns), 4),
    stepSqlNormalMsPerStep: round(stepSqlNormal, 4),
    rawNormalMsPerCommit: round(rawNormalMs, 4),
    engineOnlyMsPerStep: round(median(engineRuns), 4),
  };
}

async function repeatW1(path: string, synchronous: 'FULL' | 'NORMAL', steps: number, rounds: number, wrap?: (s: Store) => Store): Promise<number[]> {
  const lifeline = await openW1(path, synchronous, wrap);
  const out: number[] = [];
  try {
    await runW1(lifeline, steps);
    for (let r = 0; r < rounds; r++) out.push(await runW1(lifeline, steps));
  } finally {
    await lifeline.close();
    await lifeline.store.close();
  }
  return out;
}
