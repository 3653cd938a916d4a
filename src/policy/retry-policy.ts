import { ERROR_CLASSES, isErrorClass, type ErrorClass } from '../errors/error-class.js';
import { checkBoolean, checkKnownKeys, checkNumber, checkObject, checkOneOf, checkOrdered, type NumberBounds } from '../options/option-check.js';

/** Per-class tweaks; unset fields fall back to the policy's own values. */
export interface ClassRetryOverride {
  maxAttempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** false: never retry this class. true: retry a class that is not retried by default. */
  retry?: boolean;
}

export interface RetryPolicy {
  /** Total attempts including the first, so 1 means "no retries". */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  backoffMultiplier: number;
  /** 'full': uniform in [0, backoff] (AWS "full jitter"), spreads out retry storms. */
  jitter: 'full' | 'none';
  /** Upper bound on how long a server's Retry-After is honoured. */
  maxRetryAfterMs: number;
  classes?: Partial<Record<ErrorClass, ClassRetryOverride>>;
}

/** What users pass; anything unset comes from the base policy. */
export type RetryOptions = Partial<RetryPolicy>;

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(value);
}

// Frozen so that no caller can change everyone's defaults by mutating a resolved policy.
export const DEFAULT_RETRY_POLICY: RetryPolicy = deepFreeze({
  maxAttempts: 3,
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  backoffMultiplier: 2,
  jitter: 'full',
  maxRetryAfterMs: 300_000,
  // A dependency that is still starting (model loading, DB warming up) needs longer and more
  // patient retries than a network blip.
  classes: { dependency: { initialDelayMs: 5_000, maxDelayMs: 120_000, maxAttempts: 6 } },
});

const POLICY_KEYS = ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'backoffMultiplier', 'jitter', 'maxRetryAfterMs', 'classes'];
const OVERRIDE_KEYS = ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'retry'];
const ATTEMPTS: NumberBounds = { min: 1, max: 1000, integer: true };
const DELAY: NumberBounds = { min: 0, max: 86_400_000, integer: false };
const MULTIPLIER: NumberBounds = { min: 1, max: 100, integer: false };

/**
 * Validates user options up front (at definition time, not at the first failure) and merges
 * them over `base`. Class overrides merge field by field with the base's overrides.
 */
export function resolveRetryPolicy(options: RetryOptions | undefined, base: RetryPolicy = DEFAULT_RETRY_POLICY, path = 'retry'): RetryPolicy {
  const o: Record<string, unknown> = options === undefined ? {} : checkObject(options, path);
  checkKnownKeys(o, path, POLICY_KEYS);
  const num = (key: string, bounds: NumberBounds, fallback: number): number =>
    o[key] === undefined ? fallback : checkNumber(o[key], `${path}.${key}`, bounds);

  const policy: RetryPolicy = {
    maxAttempts: num('maxAttempts', ATTEMPTS, base.maxAttempts),
    initialDelayMs: num('initialDelayMs', DELAY, base.initialDelayMs),
    maxDelayMs: num('maxDelayMs', DELAY, base.maxDelayMs),
    backoffMultiplier: num('backoffMultiplier', MULTIPLIER, base.backoffMultiplier),
    jitter: o.jitter === undefined ? base.jitter : checkOneOf(o.jitter, `${path}.jitter`, ['full', 'none'] as const),
    maxRetryAfterMs: num('maxRetryAfterMs', DELAY, base.maxRetryAfterMs),
    classes: resolveClasses(o.classes, base.classes ?? {}, `${path}.classes`),
  };
  checkOrdered({ path: `${path}.initialDelayMs`, value: policy.initialDelayMs }, { path: `${path}.maxDelayMs`, value: policy.maxDelayMs });
  for (const [cls, override] of Object.entries(policy.classes ?? {})) {
    // Check the delays the class will actually use, naming where each one came from.
    const at = (key: 'initialDelayMs' | 'maxDelayMs') => {
      const own = override[key];
      return own === undefined ? { path: `${path}.${key}`, value: policy[key] } : { path: `${path}.classes.${cls}.${key}`, value: own };
    };
    checkOrdered(at('initialDelayMs'), at('maxDelayMs'));
  }
  return policy;
}

function resolveClasses(value: unknown, base: Partial<Record<ErrorClass, ClassRetryOverride>>, path: string): Partial<Record<ErrorClass, ClassRetryOverride>> {
  const merged: Partial<Record<ErrorClass, ClassRetryOverride>> = {};
  for (const cls of ERROR_CLASSES) {
    const b = base[cls];
    if (b) merged[cls] = { ...b };
  }
  if (value === undefined) return merged;
  const given = checkObject(value, path);
  checkKnownKeys(given, path, ERROR_CLASSES, 'error class');
  for (const [cls, raw] of Object.entries(given)) {
    if (raw === undefined || !isErrorClass(cls)) continue;
    merged[cls] = { ...merged[cls], ...resolveOverride(raw, `${path}.${cls}`) };
  }
  return merged;
}

function resolveOverride(value: unknown, path: string): ClassRetryOverride {
  const o = checkObject(value, path);
  checkKnownKeys(o, path, OVERRIDE_KEYS);
  const out: ClassRetryOverride = {};
  if (o.maxAttempts !== undefined) out.maxAttempts = checkNumber(o.maxAttempts, `${path}.maxAttempts`, ATTEMPTS);
  if (o.initialDelayMs !== undefined) out.initialDelayMs = checkNumber(o.initialDelayMs, `${path}.initialDelayMs`, DELAY);
  if (o.maxDelayMs !== undefined) out.maxDelayMs = checkNumber(o.maxDelayMs, `${path}.maxDelayMs`, DELAY);
  if (o.retry !== undefined) out.retry = checkBoolean(o.retry, `${path}.retry`);
  return out;
}
