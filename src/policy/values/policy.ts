// The shape every in-process policy value shares (retry, timeout, fallback, circuitBreaker,
// bulkhead, and their composition `wrap`).
import { PolicyEvents, type PolicyEventListener } from './events.js';

/** What a wrapped function receives: the signal to honour and, inside a retry, the attempt number. */
export interface PolicyContext {
  /** Aborts when the caller's signal aborts or a timeout policy's deadline passes. */
  readonly signal: AbortSignal;
  /** 1-based attempt of the innermost enclosing retry; 1 outside any retry. */
  readonly attempt: number;
}

export type PolicyFn<T> = (ctx: PolicyContext) => Promise<T> | T;

export interface Policy {
  /** Runs `fn` under the policy. `signal` (optional) cancels the call, its waits and its retries. */
  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T>;
  /** Listens to what the policy does (for `wrap`, every policy inside it). Returns the unsubscribe function. */
  onEvent(listener: PolicyEventListener): () => void;
  /** @internal Composition hook: runs `fn` inside `parent` (used by `wrap` and `execute`). */
  run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T>;
}

// Shared by every call made without a signal: allocating a controller per call costs more than the policy itself.
const NEVER = new AbortController().signal;
const ROOT_CONTEXT: PolicyContext = Object.freeze({ signal: NEVER, attempt: 1 });

/** The context a top-level `execute` starts from. */
export function rootContext(signal: AbortSignal | undefined): PolicyContext {
  return signal === undefined ? ROOT_CONTEXT : { signal, attempt: 1 };
}

/** True when `signal` can never abort (no caller signal anywhere up the chain). */
export function isNeverSignal(signal: AbortSignal): boolean {
  return signal === NEVER;
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
export function invoke<T>(fn: PolicyFn<T>, ctx: PolicyContext): Promise<T> {
  try {
    return Promise.resolve(fn(ctx));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** `execute` and `onEvent` for every policy; each policy supplies `run`. */
export abstract class PolicyBase implements Policy {
  protected readonly events = new PolicyEvents();

  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
    // Not started at all: work begun after a cancellation would be thrown away anyway.
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return this.run(fn, rootContext(signal));
  }

  onEvent(listener: PolicyEventListener): () => void {
    return this.events.on(listener);
  }

  abstract run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T>;
}
