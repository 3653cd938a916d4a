import type { LifelineEvent } from '../store/events.js';
import { describeDeferral } from './deferral.js';

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
    case 'step.fallback': {
      const d = event.data;
      return `  ⤳ ${d.stepId}: ${d.from} → ${d.to} (${d.reason})`;
    }
    case 'step.defaulted': {
      const d = event.data;
      return `  ⚑ ${d.stepId} failed [${d.errorClass}] after ${d.attempt} attempt(s), returned its default: ${d.message}`;
    }
    case 'step.deferred':
      return `  ⏸ ${describeDeferral(event.data)}`;
    case 'step.cached':
      return `  ⧉ ${event.data.stepId} from the step cache (computed by run ${event.data.sourceRunId})`;
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
    case 'run.degraded': {
      const d = event.data;
      return `  ⚠ ${run} degraded: ${d.name} at level ${d.level}, missing ${d.missing.map((m) => m.section).join(', ') || 'nothing'}`;
    }
    case 'run.loop_detected': {
      const d = event.data;
      return `  ⚠ ${run} loop in ${d.guard}: ${d.kind} (${d.detail}) -> ${d.level}${d.signal ? `, waiting for signal "${d.signal}"` : ''}`;
    }
    case 'run.gate_warned': {
      const d = event.data;
      return `  ⚠ ${run} gate ${d.gate} warned: ${d.failed.map((c) => (c.detail ? `${c.name} (${c.detail})` : c.name)).join(', ')}`;
    }
    case 'run.recovering': {
      const d = event.data;
      const when = d.wakeAt ? ` at ${new Date(d.wakeAt).toISOString()}` : '';
      return `  ⟲ ${run} recovering [${d.errorClass}]${d.stepId ? ` ${d.stepId}` : ''}: ${d.strategy}${when} (${d.reason})`;
    }
    case 'run.escalated':
      return `■ ${run} escalated: ${event.data.reason} (lifeline resolve ${event.runId} retry|skip|cancel)`;
    case 'run.reassigned':
      return `  ⟲ ${run} reassigned to ${event.data.workflow} as run ${event.data.to}`;
    case 'run.resolved':
      return `  ⟲ ${run} resolved: ${event.data.action}`;
    case 'step.routed': {
      const d = event.data;
      return `  ⤷ ${d.stepId} failed [${d.errorClass}]: routed to ${d.helper}, then ${d.retryStepId} (route ${d.route})`;
    }
    case 'worker.store_exhausted':
      return `  ⚠ ${event.data.text}`;
    case 'worker.error':
      return `  ⚠ worker error (${event.data.context}): ${event.data.message}`;
    case 'breaker.opened':
      return `  ⚠ breaker ${event.data.key} opened until ${new Date(event.data.openUntil).toISOString()}: ${event.data.reason}`;
    case 'breaker.closed':
      return `  ✓ breaker ${event.data.key} closed: ${event.data.reason}`;
    case 'schedule.fired':
      return `  ⏰ schedule ${event.data.scheduleId} fired ${event.data.ticks.join(', ')}: run ${event.data.runIds.join(', ')}`;
    case 'schedule.skipped':
      return `  ⚠ ${event.data.text}`;
    default:
      return null;
  }
}
