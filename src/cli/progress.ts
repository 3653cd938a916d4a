import type { EngineEvent } from '../engine/lifeline.js';

type Data = Record<string, unknown>;

/**
 * One human line per engine event of interest, for `lifeline run` and `lifeline worker`.
 * Replayed steps and executed steps are told apart: that is what a user checks after a crash.
 */
export function describeEvent(event: EngineEvent): string | null {
  const d = (event.data ?? {}) as Data;
  const run = event.runId.length > 13 ? `${event.runId.slice(0, 8)}…` : event.runId;
  switch (event.type) {
    case 'run.claimed':
      return Number(d.claimCount) > 1 ? `▶ ${run} resumed (claim #${String(d.claimCount)})` : `▶ ${run} started`;
    case 'step.replayed':
      return `  ↺ ${String(d.stepId)} replayed from checkpoint`;
    case 'step.completed':
      return d.kind ? null : `  ✓ ${String(d.stepId)} executed (attempt ${String(d.attempt)})`;
    case 'step.retrying':
      return `  ↻ ${String(d.stepId)} attempt ${String(d.attempt)} failed [${String(d.errorClass)}] ${String(d.message)} — retrying in ${String(d.delayMs)} ms`;
    case 'step.failed':
      return `  ✗ ${String(d.stepId)} failed [${String(d.errorClass)}] after ${String(d.attempt ?? 1)} attempt(s): ${String(d.message ?? '')}`;
    case 'run.sleeping':
      return `  ⏸ ${run} sleeping until ${new Date(Number(d.wakeAt)).toISOString()}`;
    case 'run.waiting':
      return `  ⏸ ${run} waiting for ${[...((d.signals as string[]) ?? []).map((s) => `signal "${s}"`), ...((d.children as string[]) ?? []).map((c) => `child ${c}`)].join(', ') || 'wake-up'}`;
    case 'run.completed':
      return `■ ${run} completed`;
    case 'run.failed':
      return `■ ${run} failed: ${String((d.error as Data | undefined)?.message ?? '')}`;
    case 'run.cancelled':
      return `■ ${run} cancelled`;
    case 'run.owner_dead':
      return `  ⚠ ${run}: owner pid ${String(d.pid)} is dead, taking the run over`;
    case 'store.unavailable':
      return `  ⚠ database unavailable, retrying in ${String(d.retryInMs)} ms: ${String(d.message)}`;
    case 'run.parked':
      return `■ ${run} parked after ${String(d.claims)} claims without progress (lifeline resume ${event.runId} once fixed)`;
    case 'worker.store_exhausted':
      return `  ⚠ ${String(d.text)}`;
    case 'worker.error':
      return `  ⚠ worker error (${String(d.context)}): ${String(d.message)}`;
    default:
      return null;
  }
}
