// The shared breakers of each Lifeline client, off its public surface (like its step gates),
// and the seam other resilience pieces read: a fallback chain skips an alternative whose
// breaker is open, from this worker's cache, without a store round trip.
import { stepGatesOf } from '../engine/step-gates.js';
import { SharedBreakers, type SharedBreakersDeps } from './shared-gate.js';

const BREAKERS = new WeakMap<object, SharedBreakers>();

/** Creates the client's shared breakers and registers them as a step gate. */
export function attachSharedBreakers(lifeline: object, deps: SharedBreakersDeps): SharedBreakers {
  const breakers = new SharedBreakers(deps);
  BREAKERS.set(lifeline, breakers);
  stepGatesOf(lifeline).push(breakers);
  return breakers;
}

export function sharedBreakersOf(lifeline: object): SharedBreakers | undefined {
  return BREAKERS.get(lifeline);
}

/**
 * Is the shared breaker `key` open now, as this process last saw it (cached: no store access)?
 * False for a key this process has not used yet, a closed or half-open breaker, or a client
 * opened without `breakers`. `now` defaults to the client's clock.
 */
export function isBreakerOpen(lifeline: object, key: string, now?: number): boolean {
  return BREAKERS.get(lifeline)?.isOpen(key, now) ?? false;
}
