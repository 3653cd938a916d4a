import { StepFailedError, InputValidationError } from '../errors/workflow-errors.js';
import { LeaseLostError } from '../errors/store-errors.js';
import type { NewEvent, Store } from '../store/store.js';
import type { EventData, RunEvent, RunEventType } from '../store/events.js';
import { toJson } from '../store/serialize.js';
import type { StoredError } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import type { WorkflowDefinition } from '../workflow/define.js';
import type { ExecutionState } from './execution-state.js';
import { toStoredError } from './stored-error.js';
import { formatZodIssues } from './zod-format.js';
import { planRecovery, writeRecovery } from './recovery.js';

/** What became of a run when its execution ended in this worker. */
export type ExecutionOutcome = 'completed' | 'failed' | 'cancelled' | 'suspended' | 'released' | 'lease_lost' | 'recovering';

/** What a run's final write needs from its execution. */
export interface FinalWriteHost {
  readonly runId: string;
  readonly token: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly workflow: WorkflowDefinition;
  readonly deps: { readonly maxPayloadBytes: number };
  /** The first non-determinism the run met: it fails with it, whatever the workflow returned. */
  readonly nonDeterministic: Error | null;
  storeCall<T>(call: () => Promise<T>, options: { abortable: boolean; commit?: boolean }): Promise<T>;
  publish<T>(events: NewEvent[], write: (events: NewEvent[]) => Promise<T>): Promise<T>;
  event<K extends RunEventType>(type: K, ...[data]: EventData<K>): RunEvent<K>;
}

/** The one write that ends an execution whose state left `running`. */
export async function settleState(host: FinalWriteHost, s: ExecutionState): Promise<ExecutionOutcome> {
  const base = { runId: host.runId, token: host.token, now: host.clock.now() };
  return fenced(async () => {
    switch (s.kind) {
      case 'lease_lost':
        return 'lease_lost';
      case 'failing':
        return failRun(host, s.error);
      case 'cancelling':
        return finishCancelled(host);
      case 'stopping':
        await host.publish([host.event('run.released', { reason: 'shutdown' })], (events) =>
          host.storeCall(() => host.store.releaseRun({ ...base, status: 'pending', wakeAt: null, events }), { abortable: false }),
        );
        return 'released';
      case 'suspending':
        await host.publish([host.event(`run.${s.status}`, { wakeAt: s.wakeAt, signals: s.signalNames, children: s.childRunIds })], (events) =>
          host.storeCall(
            () =>
              host.store.releaseRun({
                ...base,
                status: s.status,
                wakeAt: s.wakeAt,
                wakeOn: { signalNames: s.signalNames, childRunIds: s.childRunIds, ...(s.anySignal ? { anySignal: true } : {}) },
                ...(s.deferred ? { deferred: true } : {}),
                events,
              }),
            { abortable: false },
          ),
        );
        return 'suspended';
      case 'running':
        throw new Error('settleState called while running'); // unreachable: execute() only settles after the state left running
    }
  });
}

/** The workflow returned `value`: checked against the output schema and the payload limit, then committed. */
export async function completeRun(host: FinalWriteHost, value: unknown): Promise<ExecutionOutcome> {
  if (host.nonDeterministic) return failRun(host, host.nonDeterministic);
  let output: string;
  try {
    const parsed = host.workflow.options.outputSchema?.safeParse(value);
    if (parsed && !parsed.success) throw new InputValidationError(host.workflow.name, 'output', formatZodIssues(parsed.error));
    output = toJson(value, `Output of run ${host.runId}`, host.deps.maxPayloadBytes);
  } catch (error) {
    return failRun(host, error);
  }
  return finishCompleted(host, output);
}

/** Commits the run completed with `output` (JSON, checked). */
export function finishCompleted(host: FinalWriteHost, output: string): Promise<ExecutionOutcome> {
  return fenced(async () => {
    await host.publish([host.event('run.completed')], (events) =>
      host.storeCall(() => host.store.finishRun({ runId: host.runId, token: host.token, now: host.clock.now(), status: 'completed', output, events }), {
        abortable: false,
      }),
    );
    return 'completed';
  });
}

/**
 * The run failed with `error`. A recovery rule may take it over (engine/recovery.ts); otherwise
 * `compensate` (engine/compensation.ts) may undo its steps and finish it; otherwise it ends failed.
 */
export async function failRun(
  host: FinalWriteHost,
  error: unknown,
  compensate?: (stored: StoredError) => Promise<ExecutionOutcome | null>,
): Promise<ExecutionOutcome> {
  const cause = host.nonDeterministic ?? error;
  const stored = toStoredError(cause, {
    ...(host.workflow.options.classifiers ? { classifiers: host.workflow.options.classifiers } : {}),
    ...(cause instanceof StepFailedError ? { stepId: cause.stepId, attempts: cause.attempts } : {}),
  });
  return fenced(async () => {
    // A recovery rule of the workflow may take the failure over (engine/recovery.ts): one fenced write either way.
    const plan = await planRecovery(host, stored, cause);
    if (plan !== null) return writeRecovery(host, stored, plan);
    const compensated = compensate === undefined ? null : await compensate(stored);
    return compensated ?? finishFailed(host, stored);
  });
}

/** Commits the run failed with `stored` as its error (no recovery asked). */
export function finishFailed(host: FinalWriteHost, stored: StoredError): Promise<ExecutionOutcome> {
  return fenced(async () => {
    await host.publish([host.event('run.failed', { error: stored })], (events) =>
      host.storeCall(() => host.store.finishRun({ runId: host.runId, token: host.token, now: host.clock.now(), status: 'failed', error: stored, events }), {
        abortable: false,
      }),
    );
    return 'failed';
  });
}

/** Commits the run cancelled; `failure` replaces the cancel's own error (a compensation that failed: engine/compensation.ts). */
export async function finishCancelled(host: FinalWriteHost, failure?: StoredError): Promise<ExecutionOutcome> {
  return fenced(async () => {
    const error: StoredError = failure ?? { name: 'RunCancelledError', message: `Run ${host.runId} was cancelled.`, errorClass: 'cancelled' };
    await host.publish([host.event('run.cancelled')], (events) =>
      host.storeCall(() => host.store.finishRun({ runId: host.runId, token: host.token, now: host.clock.now(), status: 'cancelled', error, events }), {
        abortable: false,
      }),
    );
    return 'cancelled';
  });
}

/** A final write refused because the lease moved on means another worker owns the run now. */
async function fenced(write: () => Promise<ExecutionOutcome>): Promise<ExecutionOutcome> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof LeaseLostError) return 'lease_lost';
    throw error;
  }
}
