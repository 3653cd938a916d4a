import { channel } from 'node:diagnostics_channel';
import type { StartAttemptArgs } from '../store/store.js';
import { monotonicNow } from '../time/clock.js';
import type { FencedStartHost } from './attempt-host.js';

/**
 * How close to the end of the lease a step body may still start. If, once the start was
 * acknowledged, less than this is left of the lease it granted, the start is fenced again.
 */
export function leaseSafetyMarginMs(leaseMs: number): number {
  return Math.floor(leaseMs / 4);
}

/** A fenced start that keeps being acknowledged too late to trust: the worker is too slow to drive the run. */
const MAX_FENCES = 3;

/**
 * What `startAttemptFenced` publishes on the `lifeline:attempt-fenced` diagnostics channel once a
 * body was started: when (monotonic, `performance.now()` on the system clock) the deadline check
 * that let it start was made. For instrumentation and the stall chaos test, which tells a body
 * that began inside the documented window from one that should never have begun.
 */
export interface AttemptFencedMessage {
  runId: string;
  stepId: string;
  attempt: number;
  /** The monotonic reading of the deadline check. */
  checkedAt: number;
  /** The monotonic time until which the body was allowed to start. */
  deadline: number;
}

const fencedChannel = channel('lifeline:attempt-fenced');

/**
 * Records an attempt's start and proves, before its body runs, that this worker still holds the
 * run: the start is fenced by the lease token and extends the lease (a heartbeat), and it is
 * awaited, so the row survives a process crash and a worker that stalled past its lease learns
 * it lost the run here instead of after running a step another worker already committed.
 *
 * The lease it granted lasts at least until (local time the request was SENT) + leaseMs: the
 * store sets it from its clock when it processes the request, which is no earlier. So once the
 * answer arrived, the body may start only while that deadline is more than the safety margin
 * away on the monotonic clock; otherwise (a stall while the request was in flight) fence again.
 *
 * `run` starts the body: it is called synchronously right after the check passed, with the
 * check's monotonic reading, so no turn of the event loop and no microtask lies between the check
 * and the body (the caller prepares everything the body needs before). What is left: a stall
 * longer than the margin in the few synchronous instructions between this check and the step
 * function's first one (see docs/decisions/2026-11-30-fenced-start-window.md).
 *
 * Resolves to what `run` returned, or null when the run is no longer this worker's to drive
 * (lease lost, store failure with an unknown outcome, aborted): the caller parks; the state
 * change was already dispatched, and `run` was not called.
 */
export async function startAttemptFenced<T>(
  exec: FencedStartHost,
  args: Omit<StartAttemptArgs, 'runId' | 'token' | 'leaseMs' | 'startedAt' | 'workerId'>,
  run: (checkedAt: number) => T,
): Promise<T | null> {
  const { store, clock, leaseMs, workerId } = exec.deps;
  for (let fence = 1; ; fence++) {
    const sentAt = monotonicNow(clock);
    const start: StartAttemptArgs = { ...args, runId: exec.runId, token: exec.token, leaseMs, startedAt: clock.now(), workerId };
    if (!(await exec.guardCommit(() => exec.storeCall(() => store.startAttempt(start), { abortable: true })))) return null;
    const deadline = sentAt + leaseMs - leaseSafetyMarginMs(leaseMs);
    const checkedAt = monotonicNow(clock);
    if (checkedAt < deadline) {
      const started = run(checkedAt);
      // After the body began, never between the check and the body.
      if (fencedChannel.hasSubscribers) {
        const message: AttemptFencedMessage = { runId: exec.runId, stepId: args.stepId, attempt: args.attempt, checkedAt, deadline };
        fencedChannel.publish(message);
      }
      return started;
    }
    if (fence >= MAX_FENCES) {
      exec.abandon(new Error(`the fenced start of step ${args.stepId} was acknowledged too late ${MAX_FENCES} times in a row (lease ${leaseMs} ms)`));
      return null;
    }
  }
}
