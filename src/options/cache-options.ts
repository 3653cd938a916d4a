// The step option `cache` (issue 12 §1): what a step's result depends on (`key`, any JSON value:
// typically the step's inputs), how long a stored result is served (`ttl`), a `version` to bump
// when the step's code changes, and how long a computing worker's lease on the key holds.
import { createHash } from 'node:crypto';
import { toMs, type Duration } from '../workflow/duration.js';
import { checkNumber, checkOptions, checkString, describeValue, optionError, type FieldCheck } from './option-check.js';

export interface StepCacheOptions {
  /**
   * What the result depends on: any JSON value (strings, finite numbers, booleans, null, arrays,
   * plain objects), typically the step's inputs, e.g. `{ url, model }`. Hashed (SHA-256 of its
   * canonical JSON, object keys sorted) with the workflow's name, the step's name and `version`.
   */
  key: unknown;
  /** How long a stored result is served, from when it was computed ("1h", "7d", ms). More than 0, at most 365 days. */
  ttl: Duration;
  /** Bump it when the step's code changes: results stored under another version are not served. */
  version?: string | number;
  /**
   * How long a computing worker's claim on the key lasts without renewal (it is renewed while the
   * body runs). Other runs wanting the key wait meanwhile; if the computing process dies, another
   * computes once the lease expired. Default "30s"; from 100 ms to 1 hour.
   */
  lease?: Duration;
}

/** The cache plan of one step call: the hashed key and the times in ms. */
export interface ResolvedStepCache {
  /** SHA-256 (hex) of the canonical JSON of [workflow, step name, version, key]. */
  key: string;
  version: string | null;
  ttlMs: number;
  leaseMs: number;
}

const MAX_TTL_MS = 365 * 86_400_000;
const DEFAULT_LEASE_MS = 30_000;
const MAX_KEY_DEPTH = 64;

const boundedDuration =
  (min: number, max: number, what: string): FieldCheck =>
  (value, path) => {
    const ms = toMs(value as Duration, path);
    if (ms < min || ms > max) throw optionError(path, `must be ${what} (got ${describeValue(value)})`);
  };

const CACHE_FIELDS: Readonly<Record<keyof StepCacheOptions, FieldCheck>> = {
  key: (value, path) => void canonicalJson(value, path),
  ttl: boundedDuration(1, MAX_TTL_MS, 'a duration more than 0 and at most 365 days'),
  version: (value, path) => {
    if (typeof value === 'number') checkNumber(value, path, { min: -Number.MAX_VALUE, max: Number.MAX_VALUE, integer: false });
    else if (typeof value === 'string') checkString(value, path, 200);
    else throw optionError(path, `must be a string or a number (got ${describeValue(value)})`);
  },
  lease: boundedDuration(100, 3_600_000, 'a duration from 100 ms to 1 hour'),
};

/** Checks a step's `cache` option (`path` is `step "<name>".cache`). */
export const checkStepCache: FieldCheck = (value, path) => {
  const o = checkOptions(value, path, CACHE_FIELDS);
  if (!('key' in o) || o.key === undefined) {
    throw optionError(`${path}.key`, "is required: the JSON value the result depends on, e.g. the step's inputs (got no key)");
  }
  if (o.ttl === undefined) throw optionError(`${path}.ttl`, 'is required: how long a stored result is served, e.g. "1h" (got no ttl)');
};

/** The plan of a checked `cache` option for one step of one workflow. */
export function resolveStepCache(options: StepCacheOptions, workflow: string, stepName: string): ResolvedStepCache {
  const path = `step "${stepName}".cache`;
  const version = options.version === undefined ? null : String(options.version);
  const text = canonicalJson([workflow, stepName, version, options.key], `${path}.key`);
  return {
    key: createHash('sha256').update(text).digest('hex'),
    version,
    ttlMs: toMs(options.ttl, `${path}.ttl`),
    leaseMs: options.lease === undefined ? DEFAULT_LEASE_MS : toMs(options.lease, `${path}.lease`),
  };
}

/**
 * Canonical JSON: object keys sorted, no whitespace. Anything JSON cannot say the same way twice
 * is refused (undefined in an array, NaN, a Date, a Map, a class instance, a cycle), naming where.
 */
export function canonicalJson(value: unknown, path: string): string {
  return write(value, path, 'key', 0, new Set());
}

function write(value: unknown, path: string, at: string, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isFinite(value)) return JSON.stringify(value);
      break;
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_KEY_DEPTH) throw notJson(path, at, `nested deeper than ${MAX_KEY_DEPTH}`);
      if (seen.has(value)) throw notJson(path, at, 'a cycle');
      if (Array.isArray(value)) {
        seen.add(value);
        const items = value.map((item, i) => write(item, path, `${at}[${i}]`, depth + 1, seen));
        seen.delete(value);
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) break;
      seen.add(value);
      const record = value as Record<string, unknown>;
      const parts = Object.keys(record)
        .sort()
        .filter((k) => record[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${write(record[k], path, `${at}.${k}`, depth + 1, seen)}`);
      seen.delete(value);
      return `{${parts.join(',')}}`;
    }
  }
  throw notJson(path, at, describeKind(value));
}

function describeKind(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'non-plain object'}`;
  return typeof value;
}

function notJson(path: string, at: string, what: string) {
  return optionError(path, `must be JSON: strings, finite numbers, booleans, null, arrays and plain objects (got ${what} at ${at})`);
}
