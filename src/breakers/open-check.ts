// The seam other resilience pieces read (a fallback chain skips an alternative whose breaker is
// open): answered from this process's cache of the shared breakers, without a store access.
// Kept apart from the gate so the public declarations reach no engine internals.

/** What a Lifeline client's shared breakers answer about a key, from their cache. */
export interface BreakerCache {
  isOpen(key: string, now?: number): boolean;
}

const CACHES = new WeakMap<object, BreakerCache>();

export function registerBreakerCache(lifeline: object, cache: BreakerCache): void {
  CACHES.set(lifeline, cache);
}

/**
 * Is the shared breaker `key` open now, as this process last saw it (cached: no store access)?
 * False for a key this process has not used yet, a closed or half-open breaker, or a client
 * opened without `breakers`. `now` defaults to the client's clock.
 */
export function isBreakerOpen(lifeline: object, key: string, now?: number): boolean {
  return CACHES.get(lifeline)?.isOpen(key, now) ?? false;
}
