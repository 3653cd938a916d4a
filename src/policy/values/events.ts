// What each in-process policy reports about what it did: event name → payload, in the style of
// src/store/events.ts but local to policies (these events are never stored).
import type { ErrorClass } from '../../errors/error-class.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface PolicyEventMap {
  /** An attempt failed and another follows after `delayMs`. */
  'retry.retrying': { attempt: number; errorClass: ErrorClass; delayMs: number; message: string };
  /** The last attempt failed, or the error was not to be retried: the error is thrown. */
  'retry.gave_up': { attempts: number; errorClass: ErrorClass; reason: string; message: string };
  /** The deadline passed: the call's signal aborted and the caller got a PolicyTimeoutError. */
  'timeout.timed_out': { timeoutMs: number };
  /** The wrapped call failed with a class the fallback handles: the fallback's value is returned. */
  'fallback.used': { errorClass: ErrorClass; message: string };
  /** The breaker changed state (`failureRate` in percent over the window when it opened). */
  'breaker.state_changed': { from: BreakerState; to: BreakerState; failureRate?: number; calls?: number };
  /** A call was refused because the breaker is open or its probes are taken. */
  'breaker.rejected': { state: BreakerState; retryAfterMs: number };
  /** Every slot was busy: the call waits in the queue (`queued` includes it). */
  'bulkhead.queued': { queued: number };
  /** Every slot and the queue were full: BulkheadRejectedError. */
  'bulkhead.rejected': { active: number; queued: number };
}

export type PolicyEventType = keyof PolicyEventMap;

/** One event, typed by its name. `at` is the policy clock's `now()`. */
export type PolicyEvent<K extends PolicyEventType = PolicyEventType> = {
  [T in K]: { type: T; data: PolicyEventMap[T]; at: number };
}[K];

export type PolicyEventListener = (event: PolicyEvent) => void;

/**
 * The listeners of one policy. `emit` costs one length check when nobody listens (the success
 * path emits nothing anyway). A listener that throws is ignored: observing a call must not fail it.
 */
export class PolicyEvents {
  private listeners: PolicyEventListener[] = [];

  get listening(): boolean {
    return this.listeners.length > 0;
  }

  on(listener: PolicyEventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit<K extends PolicyEventType>(type: K, data: PolicyEventMap[K], at: number): void {
    if (this.listeners.length === 0) return;
    const event = { type, data, at } as PolicyEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // see the class comment
      }
    }
  }
}
