// The shared breakers of each Lifeline client, off its public surface (like its step gates).
import { stepGatesOf } from '../engine/step-gates.js';
import { registerBreakerCache } from './open-check.js';
import { SharedBreakers, type SharedBreakersDeps } from './shared-gate.js';

const BREAKERS = new WeakMap<object, SharedBreakers>();

/** Creates the client's shared breakers, registers them as a step gate and as the isBreakerOpen cache. */
export function attachSharedBreakers(lifeline: object, deps: SharedBreakersDeps): SharedBreakers {
  const breakers = new SharedBreakers(deps);
  BREAKERS.set(lifeline, breakers);
  registerBreakerCache(lifeline, breakers);
  stepGatesOf(lifeline).push(breakers);
  return breakers;
}

export function sharedBreakersOf(lifeline: object): SharedBreakers | undefined {
  return BREAKERS.get(lifeline);
}
