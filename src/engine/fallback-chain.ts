// The fallback-chain parts of a step's attempt loop (ctx.fallback, issue 8 §2): the chain's
// alternatives as legs, where a resumed chain continues (from its attempt rows), when a failure
// moves it on and the reason recorded for it, and the seam where an alternative can be skipped.
import type { ErrorClass } from '../errors/error-class.js';
import { resolveRetryPolicy, type Classification, type RetryPolicy } from '../policy/index.js';
import type { AttemptRecord } from '../store/types.js';
import type { AlternativeInfo, FallbackAlternative, StepOptions } from '../workflow/context.js';
import { toMs } from '../workflow/duration.js';
import type { Policy } from '../policy/values/policy.js';
import type { AttemptHost } from './attempt-host.js';

/** One thing a step's attempt loop can run: the step's function, or one alternative of a chain. */
export interface Leg {
  /** The alternative's name; null for a plain step (its attempts record no alternative). */
  name: string | null;
  fn: (info: AlternativeInfo) => unknown;
  policy: RetryPolicy;
  timeoutMs: number | undefined;
  /** The in-process policy value each attempt's body runs through (StepOptions.policy). */
  bodyPolicy: Policy | undefined;
  /** The alternative's shared breaker key (FallbackAlternative.breaker): its attempts go through it, and it is skipped while open. */
  breaker?: string;
}

/** A fallback chain as the workflow called it (checked by options/fallback-options.ts). */
export interface ChainCall {
  alternatives: readonly FallbackAlternative<unknown>[];
  /** The classes that move the chain on. */
  on: ReadonlySet<ErrorClass>;
  /** The kinds that move the chain on at once, whatever their class. */
  onKinds: ReadonlySet<string>;
}

/** The attempt rows of one step that count for where a resumed chain continues (since the run's last manual retry). */
export type ChainRow = Pick<AttemptRecord, 'alternative' | 'movedOn' | 'outcome'>;

/**
 * The seam where an alternative can be passed over before it is tried: resolves with why it is
 * skipped, or null to try it. A skipped alternative runs no attempt; the chain records a
 * `step.fallback` event with the reason and moves on (the last alternative is never skipped: it
 * answers or fails).
 */
export type AlternativeGate = (step: { runId: string; stepId: string; stepName: string }, leg: Leg) => Promise<string | null> | string | null;
export const tryEveryAlternative: AlternativeGate = () => null;

/** Asked, for an alternative naming a shared breaker, whether to pass it over now (a step gate that owns breakers answers). */
export interface AlternativeSkipper {
  skipReason(key: string, stepName: string): Promise<string | null> | string | null;
}

/**
 * Skips an alternative whose shared breaker (FallbackAlternative.breaker) is open: issue 8 §3's
 * "a fallback chain skips an open alternative". The gates that can answer are asked in order;
 * with none (Lifeline.open without `breakers`), every alternative is tried.
 */
export function skipOpenBreakers(skippers: readonly AlternativeSkipper[]): AlternativeGate {
  if (skippers.length === 0) return tryEveryAlternative;
  return async (step, leg) => {
    if (leg.breaker === undefined) return null;
    for (const skipper of skippers) {
      const reason = await skipper.skipReason(leg.breaker, step.stepName);
      if (reason !== null) return `breaker ${leg.breaker} open (${reason}), skipped`;
    }
    return null;
  };
}

/**
 * These classes are first retried under the alternative's own policy; the others in `on` move on
 * at once. `validation` is final unless the alternative opts in (a structured answer re-asked,
 * src/llm/structured-step.ts): then its re-asks come first, as they are this model's tries.
 */
const RETRIED_BEFORE_MOVING: ReadonlySet<ErrorClass> = new Set<ErrorClass>(['transient', 'unknown', 'validation']);

/** The legs of a chain, each with its own retry policy (over the workflow's) and timeout. */
export function chainLegs(host: AttemptHost, stepName: string, chain: ChainCall): Leg[] {
  return chain.alternatives.map((a, i) => {
    const path = `fallback "${stepName}".alternatives[${i}]`;
    const base = host.retryPolicy({}, stepName);
    return {
      name: a.name,
      fn: a.run as Leg['fn'],
      policy: a.retry ? resolveRetryPolicy(a.retry, base, `${path}.retry`) : base,
      timeoutMs: a.timeout === undefined ? host.stepTimeoutMs({}, stepName) : toMs(a.timeout, `${path}.timeout`),
      bodyPolicy: a.policy,
      ...(a.breaker === undefined ? {} : { breaker: a.breaker }),
    };
  });
}

/** A plain step as a chain of one leg. */
export function stepLeg(host: AttemptHost, stepName: string, fn: Leg['fn'], options: StepOptions): Leg {
  return { name: null, fn, policy: host.retryPolicy(options, stepName), timeoutMs: host.stepTimeoutMs(options, stepName), bodyPolicy: options.policy };
}

/**
 * Where a chain resumes after a crash or a takeover: past every alternative an attempt row says
 * it left (never re-running one that gave up), else at the alternative of the latest row, with
 * that alternative's failures counted against its retries. Rows naming no alternative of this
 * chain (the code changed) are ignored.
 */
export function resumePoint(legs: readonly Leg[], rows: readonly ChainRow[]): { index: number; failures: number } {
  const indexOf = new Map(legs.map((leg, i) => [leg.name, i]));
  let index = 0;
  for (const row of rows) {
    const i = row.alternative === null ? undefined : indexOf.get(row.alternative);
    if (i === undefined) continue;
    index = Math.max(index, row.movedOn === null ? i : Math.min(i + 1, legs.length - 1));
  }
  const name = legs[index]?.name;
  const failures = rows.filter((r) => r.alternative === name && r.movedOn === null && (r.outcome === 'failed' || r.outcome === 'timeout')).length;
  return { index, failures };
}

/** Whether the failure moves the chain on now, before the alternative's own retries (a kind of `onKinds` always does). */
export function movesOnAtOnce(chain: ChainCall | undefined, hasNext: boolean, c: Classification): boolean {
  if (chain === undefined || !hasNext) return false;
  if (c.kind !== undefined && chain.onKinds.has(c.kind)) return true;
  return chain.on.has(c.errorClass) && !RETRIED_BEFORE_MOVING.has(c.errorClass);
}

/** Whether the failure moves the chain on once the alternative's retries are spent. */
export function movesOnAfterRetries(chain: ChainCall | undefined, hasNext: boolean, c: Classification): boolean {
  return chain !== undefined && hasNext && movesChain(chain, c);
}

/** Whether the failure is one the chain moves on for (by class or kind). */
export function movesChain(chain: ChainCall, c: Classification): boolean {
  return chain.on.has(c.errorClass) || (c.kind !== undefined && chain.onKinds.has(c.kind));
}

const MAX_REASON_MESSAGE = 200;

/** The reason recorded on the last attempt of an alternative the chain left: "rate_limit: HTTP 429, moved to claude". */
export function hopReason(errorClass: ErrorClass, message: string, next: string): string {
  const trimmed = message.replace(/\.$/, '');
  const text = trimmed.length > MAX_REASON_MESSAGE ? `${trimmed.slice(0, MAX_REASON_MESSAGE - 1)}…` : trimmed;
  return `${errorClass}: ${text}, moved to ${next}`;
}
