// Circuit breaker options (the in-process `circuitBreaker` and the store-backed breakers share
// them), checked up front with errors naming the field and the bound, and their defaults.
import { isRetryableClass, type ErrorClass } from '../errors/error-class.js';
import { checkNumber, checkOptions, checkOrdered, optionError, type FieldCheck, type NumberBounds } from '../options/option-check.js';
import { errorClassesOption } from '../policy/values/error-classes-option.js';
import type { WindowSpec } from './window.js';

export interface BreakerOptions {
  /** Count-based window: the failure rate is computed over this many latest calls. Default 20 (unless windowMs is set). */
  windowSize?: number;
  /** Time-based window instead: over the calls of the last windowMs milliseconds. */
  windowMs?: number;
  /** No decision before this many calls are in the window. Default 10 (at most windowSize). */
  minimumCalls?: number;
  /** Opens when failures are at least this percentage of the calls in the window. Default 50. */
  failureRateThreshold?: number;
  /** Opens when calls slower than slowCallDurationMs are at least this percentage. Default 100 (only when every call is slow). */
  slowCallRateThreshold?: number;
  /** A call that took at least this long is slow (whether it succeeded or failed). Default 60 000 ms. */
  slowCallDurationMs?: number;
  /** How long the breaker stays open before it lets probe calls through. Default 30 000 ms. */
  coolDownMs?: number;
  /** Probe calls allowed while half-open; all must succeed to close, one failure re-opens. Default 1. */
  halfOpenProbes?: number;
  /** The error classes that count as failures. Default: every retryable class (validation, logic, configuration and cancelled never count). */
  failureClasses?: readonly ErrorClass[];
}

/** The options resolved, with defaults. */
export interface BreakerConfig {
  window: WindowSpec;
  minimumCalls: number;
  failureRateThreshold: number;
  slowCallRateThreshold: number;
  slowCallDurationMs: number;
  coolDownMs: number;
  halfOpenProbes: number;
  failureClasses: ReadonlySet<ErrorClass> | null;
  /** Slow calls are measured only when slowCallRateThreshold or slowCallDurationMs is set (the success path then reads the clock twice). */
  slowCalls: boolean;
}

const COUNT: NumberBounds = { min: 1, max: 100_000, integer: true };
const WINDOW_MS: NumberBounds = { min: 1, max: 86_400_000, integer: false };
const PERCENT: NumberBounds = { min: 1, max: 100, integer: false };
const DURATION: NumberBounds = { min: 0, max: 86_400_000, integer: false };
const PROBES: NumberBounds = { min: 1, max: 1000, integer: true };
const num =
  (bounds: NumberBounds): FieldCheck =>
  (v, p) =>
    void checkNumber(v, p, bounds);

/** The option fields of a breaker, for checkOptions (callers add their own, e.g. clock). */
export const BREAKER_FIELDS: Readonly<Record<keyof BreakerOptions, FieldCheck>> = {
  windowSize: num(COUNT),
  windowMs: num(WINDOW_MS),
  minimumCalls: num(COUNT),
  failureRateThreshold: num(PERCENT),
  slowCallRateThreshold: num(PERCENT),
  slowCallDurationMs: num(DURATION),
  coolDownMs: num(DURATION),
  halfOpenProbes: num(PROBES),
  failureClasses: (v, p) => void failureClassesOption(v, p),
};

function failureClassesOption(value: unknown, path: string): ReadonlySet<ErrorClass> {
  const set = errorClassesOption(value, path);
  [...set].forEach((c) => {
    if (!isRetryableClass(c))
      throw optionError(path, `"${c}" is never retried, so it cannot count as a failure of the dependency (got ${JSON.stringify([...set])})`);
  });
  return set;
}

/** Resolves checked options (`o` from checkOptions with BREAKER_FIELDS) at `where`. */
export function resolveBreakerConfig(o: Record<string, unknown>, where: string): BreakerConfig {
  const windowMs = o.windowMs as number | undefined;
  if (windowMs !== undefined && o.windowSize !== undefined) {
    throw optionError(`${where}.windowMs`, `cannot be set with ${where}.windowSize: a window counts either calls or time (got both)`);
  }
  const size = (o.windowSize as number | undefined) ?? 20;
  const minimumCalls = (o.minimumCalls as number | undefined) ?? (windowMs === undefined ? Math.min(10, size) : 10);
  if (windowMs === undefined) checkOrdered({ path: `${where}.minimumCalls`, value: minimumCalls }, { path: `${where}.windowSize`, value: size });
  return {
    window: windowMs === undefined ? { kind: 'count', size } : { kind: 'time', ms: windowMs },
    minimumCalls,
    failureRateThreshold: (o.failureRateThreshold as number | undefined) ?? 50,
    slowCallRateThreshold: (o.slowCallRateThreshold as number | undefined) ?? 100,
    slowCallDurationMs: (o.slowCallDurationMs as number | undefined) ?? 60_000,
    coolDownMs: (o.coolDownMs as number | undefined) ?? 30_000,
    halfOpenProbes: (o.halfOpenProbes as number | undefined) ?? 1,
    failureClasses: o.failureClasses === undefined ? null : failureClassesOption(o.failureClasses, `${where}.failureClasses`),
    slowCalls: o.slowCallRateThreshold !== undefined || o.slowCallDurationMs !== undefined,
  };
}

/** Checks breaker options at `where` and resolves them. */
export function breakerConfig(options: unknown, where: string): BreakerConfig {
  return resolveBreakerConfig(checkOptions(options, where, BREAKER_FIELDS), where);
}

/** Does a failure of this class count against the dependency? */
export function countsAsFailure(config: BreakerConfig, errorClass: ErrorClass): boolean {
  return config.failureClasses === null ? isRetryableClass(errorClass) : config.failureClasses.has(errorClass);
}
