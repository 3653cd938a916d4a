// Why a sleeping run sleeps when a step gate deferred it (an open breaker, a limit without room):
// its latest `step.deferred` event, as long as the run still sleeps until that event's time.
import { fromJson } from '../store/serialize.js';
import type { EventMap } from '../store/events.js';
import type { EventRecord, RunStatus } from '../store/types.js';

export type Deferral = EventMap['step.deferred'];

/** The deferral the run sleeps on, or null (not sleeping, woken by `resume`, or asleep for another reason). */
export function deferralOf(run: { status: RunStatus; wakeAt: number | null }, events: readonly EventRecord[]): Deferral | null {
  if (run.status !== 'sleeping' || run.wakeAt === null) return null;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as EventRecord;
    if (event.type !== 'step.deferred') continue;
    const deferral = fromJson<Deferral>(event.data);
    return deferral.retryAt === run.wakeAt ? deferral : null;
  }
  return null;
}

/** "call#0 deferred by breaker:openai until 2026-…: circuit open: 5 of 10 calls failed" */
export function describeDeferral(d: Deferral): string {
  return `${d.stepId} deferred by ${d.gate} until ${new Date(d.retryAt).toISOString()}: ${d.reason}`;
}
