import type { LifelineEvent } from '../store/events.js';

/**
 * One human line per engine event of interest, for `lifeline run` and `lifeline worker`.
 * Replayed steps and executed steps are told apart: that is what a user checks after a crash.
 */
export function describeEvent(event: LifelineEvent): string | null {
  const runId = event.runId ?? '';
  const run = runId.length > 13 ? `${runId.slice(0, 8)}…` : runId;
  switch (event.type) {
    case 'run.claimed':
      return event.data.claimCount > 1 ? `▶ ${run} resumed (claim #${event.data.claimCount})` : `▶ ${run} started`;
    case 'step.replayed':
      return `  ↺ ${event.data.stepId} replayed from checkpoint`;
    case 'step.completed':
      return 'kind' in event.data ? null : `  ✓ ${event.data.stepId} executed (attempt ${event.data.attempt})`;
    case 'step.retrying': {
      const d = event.data;
      return `  ↻ ${d.stepId} attempt ${d.attempt} failed [${d.errorClass}] ${d.message} — retrying in ${d.delayMs} ms`;
    }
    case 'step.failed': {
      const d = event.data;
      return 'kind' in d ? `  ✗ ${d.stepId} (${d.kind}) failed` : `  ✗ ${d.stepId} failed [${d.errorClass}] after ${d.attempt} attempt(s): ${d.message}`;
    }
    case 'run.sleeping':
      return `  ⏸ ${run} sleeping until ${new Date(Number(event.data.wakeAt)).toISOString()}`;
    case 'run.waiting': {
      const { signals, children } = event.data;
      return `  ⏸ ${run} waiting for ${[...signals.map((s) => `signal "${s}"`), ...children.map((c) => `child ${c}`)].join(', ') || 'wake-up'}`;
    }
    case 'run.completed':
      return `■ ${run} completed`;
    case 'run.failed':
      return `■ ${run} failed: ${event.data.error.message}`;
    case 'run.cancelled':
      return `■ ${run} cancelled`;
    case 'run.owner_dead':
      return `  ⚠ ${run}: owner pid ${event.data.pid} is dead, taking the run over`;
    case 'store.unavailable':
      return `  ⚠ database unavailable, retrying in ${event.data.retryInMs} ms: ${event.data.message}`;
    case 'run.parked':
      return `■ ${run} parked after ${event.data.claims} claims without progress (lifeline resume ${event.runId} once fixed)`;
    case 'worker.store_exhausted':
      return `  ⚠ ${event.data.text}`;
    case 'worker.error':
      return `  ⚠ worker error (${event.data.context}): ${event.data.message}`;
    case 'breaker.opened':
      return `  ⚠ breaker ${event.data.key} opened until ${new Date(event.data.openUntil).toISOString()}: ${event.data.reason}`;
    case 'breaker.closed':
      return `  ✓ breaker ${event.data.key} closed: ${event.data.reason}`;
    default:
      return null;
  }
}
