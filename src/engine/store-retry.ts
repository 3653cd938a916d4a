import { StoreUnavailableError } from '../errors/store-errors.js';
import { Backoff } from '../time/backoff.js';
import type { Clock } from '../time/clock.js';

export interface StoreRetryOptions {
  clock: Clock;
  /** Stops retrying (rejects with the signal's reason): cancellation, shutdown, lease loss. */
  signal?: AbortSignal;
  /**
   * After a failure whose outcome was unknown, an error that proves the earlier try landed
   * (e.g. StepAlreadyCommittedError under our own lease) counts as success.
   */
  landedIf?: (error: unknown) => boolean;
  onRetry?: (error: StoreUnavailableError, delayMs: number) => void;
}

const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 2000;

/**
 * Runs a store call, retrying with backoff while the database is unavailable (connection lost,
 * server restarting). Safe because every write on behalf of a run is fenced by its lease: if
 * the outage outlasts the lease and another worker takes over, the retry is refused instead of
 * committing twice. Any other error is the caller's.
 */
export async function retryWhileUnavailable<T>(call: () => Promise<T>, options: StoreRetryOptions): Promise<T | undefined> {
  const backoff = new Backoff(FIRST_DELAY_MS, MAX_DELAY_MS);
  let ambiguous = false;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (ambiguous && options.landedIf?.(error)) return undefined;
      if (!(error instanceof StoreUnavailableError)) throw error;
      ambiguous = true;
      const delay = backoff.next();
      options.onRetry?.(error, delay);
      await options.clock.sleep(delay, options.signal);
    }
  }
}
