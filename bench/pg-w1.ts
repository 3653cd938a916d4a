// W1-PG: one run of 200 sequential steps returning { i, ok: true } on the PostgreSQL store, ms per
// step from start() to result(). One warm-up round, then 5 measured rounds. The disk's flush
// latency drifts, so each round sandwiches the W1 run between RAW-PG chunks on one client
// (200 autocommit INSERTs and 200 BEGIN/INSERT/COMMIT before, the same after) and the ratios are
// taken within the round (paired), then the median. Diagnostics: the statements the process sent
// per step (pg-probe), the time inside each store call, and the engine alone (step writes no-op).
import { Lifeline } from '../src/engine/lifeline.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { median, round } from './common.js';
import { dropSchema, freshSchema, schemaUrl } from './pg-common.js';
import { installPgProbe, pgProbeSnapshot, resetPgProbe } from './pg-probe.js';
import { RawPgCommitter } from './pg-raw.js';
import { w1 } from './w1.js';

export interface W1PgRound {
  rawAutocommitMs: number;
  rawTxMs: number;
  w1MsPerStep: number;
  ratioAutocommit: number;
  ratioTx: number;
  /** Store calls awaited during the run: ms per step inside each method (the engine awaits commitStep). */
  storeMsPerStep: Record<string, number>;
  statementsPerStep: ReturnType<typeof pgProbeSnapshot>;
}

export interface W1PgResult {
  steps: number;
  rounds: W1PgRound[];
  msPerStep: number;
  /** Median over rounds of W1 / RAW-PG measured in the same round. */
  pairedRatioAutocommit: number;
  pairedRatioTx: number;
  rawAutocommitMs: number;
  rawTxMs: number;
  /** Median round: ms per step inside commitStep, and the rest (engine, event loop, other calls). */
  perStep: { commitStepMs: number; otherMs: number; statements: number };
  /** The same workload on a store whose per-step writes do nothing: the engine (and the claim/finish) alone. */
  engineOnlyMsPerStep: number;
}

/** Times every store method (sum of ms from call to settlement, and calls). */
function timed(store: Store, into: Map<string, { n: number; ms: number }>): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise) {
          const done = () => {
            const s = into.get(key) ?? { n: 0, ms: 0 };
            s.n++;
            s.ms += performance.now() - t0;
            into.set(key, s);
          };
          out.then(done, done);
        }
        return out;
      };
    },
  });
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

async function openW1(url: string, wrap: (s: Store) => Store) {
  const schema = freshSchema('w1');
  const store = await openStore(schemaUrl(url, schema));
  const lifeline = await Lifeline.open({ db: wrap(store), workflows: [w1] });
  lifeline.worker().start();
  return {
    lifeline,
    close: async () => {
      await lifeline.close();
      await store.close();
      await dropSchema(url, schema);
    },
  };
}

async function runW1(lifeline: Lifeline, steps: number): Promise<number> {
  const t0 = performance.now();
  const handle = await lifeline.start(w1, { steps });
  await handle.result();
  return (performance.now() - t0) / steps;
}

export async function benchW1Pg(url: string, steps = 200, rounds = 5): Promise<W1PgResult> {
  installPgProbe();
  const raw = await RawPgCommitter.open(url);
  const calls = new Map<string, { n: number; ms: number }>();
  const w = await openW1(url, (s) => timed(s, calls));
  const measured: W1PgRound[] = [];
  try {
    for (let r = 0; r <= rounds; r++) {
      const autoA = await raw.autocommit(steps);
      const txA = await raw.tx(steps);
      calls.clear();
      resetPgProbe();
      const ms = await runW1(w.lifeline, steps);
      const statementsPerStep = pgProbeSnapshot(steps);
      const storeMsPerStep: Record<string, number> = {};
      for (const [k, v] of calls) storeMsPerStep[k] = round(v.ms / steps, 4);
      const txB = await raw.tx(steps);
      const autoB = await raw.autocommit(steps);
      if (r === 0) continue; // warm-up round
      const auto = (autoA + autoB) / 2;
      const tx = (txA + txB) / 2;
      measured.push({
        rawAutocommitMs: round(auto, 4),
        rawTxMs: round(tx, 4),
        w1MsPerStep: round(ms, 4),
        ratioAutocommit: round(ms / auto, 3),
        ratioTx: round(ms / tx, 3),
        storeMsPerStep,
        statementsPerStep,
      });
    }
  } finally {
    await w.close();
    await raw.close();
  }

  const engine = await openW1(url, withoutStepWrites);
  const engineRuns: number[] = [];
  try {
    await runW1(engine.lifeline, steps);
    for (let r = 0; r < rounds; r++) engineRuns.push(await runW1(engine.lifeline, steps));
  } finally {
    await engine.close();
  }

  const mid = [...measured].sort((a, b) => a.w1MsPerStep - b.w1MsPerStep)[Math.floor(measured.length / 2)] as W1PgRound;
  const commitStepMs = mid.storeMsPerStep['commitStep'] ?? 0;
  return {
    steps,
    rounds: measured,
    msPerStep: round(median(measured.map((m) => m.w1MsPerStep)), 4),
    pairedRatioAutocommit: round(median(measured.map((m) => m.ratioAutocommit)), 3),
    pairedRatioTx: round(median(measured.map((m) => m.ratioTx)), 3),
    rawAutocommitMs: round(median(measured.map((m) => m.rawAutocommitMs)), 4),
    rawTxMs: round(median(measured.map((m) => m.rawTxMs)), 4),
    perStep: {
      commitStepMs: round(commitStepMs, 4),
      otherMs: round(mid.w1MsPerStep - commitStepMs, 4),
      statements: round(
        Object.values(mid.statementsPerStep).reduce((a, s) => a + s.count, 0),
        3,
      ),
    },
    engineOnlyMsPerStep: round(median(engineRuns), 4),
  };
}
