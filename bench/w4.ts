// W4: the success-path cost per call of retry∘timeout (`wrap(retry, timeout)`) around an async
// function, against a bare `await` of the same function, and (when installed as devDependencies)
// cockatiel's wrap(retry, timeout) and p-retry (retry only: p-retry has no timeout). Rounds of
// CALLS sequential calls each, alternating the variants; the median round's ns per call.
import { median, round } from './common.js';
import { retry, timeout, wrap, type Policy } from '../src/index.js';

export interface W4Variant {
  nsPerCall: number;
  rounds: number[];
}

export interface W4Result {
  calls: number;
  rounds: number;
  bare: W4Variant;
  lifeline: W4Variant;
  /** ns per call above bare (lifeline minus bare). */
  lifelineOverheadNs: number;
  /** The function reads `ctx.signal` (the timeout's AbortController is then made per call). */
  lifelineWithSignal: W4Variant;
  cockatiel?: W4Variant;
  pRetry?: W4Variant;
  skipped: string[];
}

const CALLS = 200_000;
const ROUNDS = 7;

// Something to await that the optimiser cannot drop.
let sink = 0;
async function work(): Promise<number> {
  return ++sink;
}

type Runner = () => Promise<void>;

async function timeRound(run: Runner): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - t0) / CALLS;
}

async function optional<T>(name: string, skipped: string[]): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch {
    skipped.push(`${name}: not installed`);
    return undefined;
  }
}

export async function benchW4(): Promise<W4Result> {
  const skipped: string[] = [];
  const policy: Policy = wrap(retry({ maxAttempts: 3 }), timeout({ timeoutMs: 10_000 }));
  const runners: Record<string, Runner> = {
    bare: async () => {
      for (let i = 0; i < CALLS; i++) await work();
    },
    lifeline: async () => {
      for (let i = 0; i < CALLS; i++) await policy.execute(() => work());
    },
    lifelineWithSignal: async () => {
      for (let i = 0; i < CALLS; i++) await policy.execute((ctx) => (ctx.signal.aborted ? 0 : work()));
    },
  };
  type Cockatiel = typeof import('cockatiel');
  const c = await optional<Cockatiel>('cockatiel', skipped);
  if (c) {
    const cp = c.wrap(c.retry(c.handleAll, { maxAttempts: 2, backoff: new c.ExponentialBackoff() }), c.timeout(10_000, c.TimeoutStrategy.Cooperative));
    runners.cockatiel = async () => {
      for (let i = 0; i < CALLS; i++) await cp.execute(() => work());
    };
  }
  type PRetry = typeof import('p-retry');
  const p = await optional<PRetry>('p-retry', skipped);
  if (p) {
    const pRetry = p.default;
    runners.pRetry = async () => {
      for (let i = 0; i < CALLS; i++) await pRetry(() => work(), { retries: 2 });
    };
  }
  const rounds: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (const run of Object.values(runners)) await run(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(runners)) rounds[name]?.push(round(await timeRound(run), 1));
  }
  const variant = (name: string): W4Variant | undefined => {
    const rs = rounds[name];
    return rs ? { nsPerCall: round(median(rs), 1), rounds: rs } : undefined;
  };
  const bare = variant('bare') as W4Variant;
  const lifeline = variant('lifeline') as W4Variant;
  const result: W4Result = {
    calls: CALLS,
    rounds: ROUNDS,
    bare,
    lifeline,
    lifelineOverheadNs: round(lifeline.nsPerCall - bare.nsPerCall, 1),
    lifelineWithSignal: variant('lifelineWithSignal') as W4Variant,
    skipped,
  };
  const ck = variant('cockatiel');
  if (ck) result.cockatiel = ck;
  const pr = variant('pRetry');
  if (pr) result.pRetry = pr;
  return result;
}
