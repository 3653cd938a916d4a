// Lifeline.open's `breakers` option: breaker options per dependency key, `'*'` a template for
// any other key. Checked up front, errors naming the field and the bound.
import { checkNumber, checkObject, checkOptions, optionError, type NumberBounds } from '../options/option-check.js';
import { BREAKER_FIELDS, resolveBreakerConfig, type BreakerConfig, type BreakerOptions } from './config.js';

export interface SharedBreakerOptions extends BreakerOptions {
  /** How long a worker trusts its cached copy of the breaker before reading the store again. Default 1000 ms. */
  cacheTtlMs?: number;
  /** How long a half-open probe lease lasts when its holder never settles it (it died). Default 60 000 ms; keep it above the step's timeout. */
  probeLeaseMs?: number;
  /** Successes are written to the store in batches at most this often (a failure or a probe's outcome at once). Default 250 ms. */
  flushMs?: number;
  /** A step refused because the half-open probes are taken sleeps this long before asking again. Default 1000 ms. */
  probeWaitMs?: number;
}

export interface SharedBreakerConfig extends BreakerConfig {
  cacheTtlMs: number;
  probeLeaseMs: number;
  flushMs: number;
  probeWaitMs: number;
}

/** Breaker options by key; `'*'` applies to any key not listed. */
export type BreakersOption = Record<string, SharedBreakerOptions>;

const TTL: NumberBounds = { min: 0, max: 3_600_000, integer: false };
const LEASE: NumberBounds = { min: 1, max: 86_400_000, integer: false };
const FLUSH: NumberBounds = { min: 0, max: 60_000, integer: false };

export function sharedBreakerConfig(options: unknown, where: string): SharedBreakerConfig {
  const o = checkOptions(options, where, {
    ...BREAKER_FIELDS,
    cacheTtlMs: (v, p) => void checkNumber(v, p, TTL),
    probeLeaseMs: (v, p) => void checkNumber(v, p, LEASE),
    flushMs: (v, p) => void checkNumber(v, p, FLUSH),
    probeWaitMs: (v, p) => void checkNumber(v, p, LEASE),
  });
  return {
    ...resolveBreakerConfig(o, where),
    cacheTtlMs: (o.cacheTtlMs as number | undefined) ?? 1000,
    probeLeaseMs: (o.probeLeaseMs as number | undefined) ?? 60_000,
    flushMs: (o.flushMs as number | undefined) ?? 250,
    probeWaitMs: (o.probeWaitMs as number | undefined) ?? 1000,
  };
}

/** Checks `Lifeline.open({ breakers })` and resolves each key's options. */
export function checkBreakersOption(value: unknown, path: string): Map<string, SharedBreakerConfig> {
  const byKey = checkObject(value, path);
  const out = new Map<string, SharedBreakerConfig>();
  for (const [key, options] of Object.entries(byKey)) {
    if (key.length === 0 || key.length > 200) throw optionError(`${path}[${JSON.stringify(key)}]`, 'a breaker key must have 1 to 200 characters');
    out.set(key, sharedBreakerConfig(options ?? {}, `${path}[${JSON.stringify(key)}]`));
  }
  return out;
}
