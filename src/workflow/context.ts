import { randomUUID } from 'node:crypto';
import { NonDeterminismError, SignalTimeoutError, StepAfterCompletionError, StepFailedError } from '../errors/workflow-errors.js';
import type { RunExecution } from '../engine/run-execution.js';
import type { RetryOptions, ClassifierRule } from '../policy/index.js';
import { fromJson } from '../store/serialize.js';
import type { StepKind, StepRecord } from '../store/types.js';
import type { WorkflowDefinition } from './define.js';
import { toMs, type Duration } from './duration.js';
import { checkStepCall, checkWaitOptions } from '../options/public-options.js';
import type { Jsonify } from './jsonify.js';

/** What a step function receives: everything it needs to be safe to run again. */
export interface StepInfo {
  /** Fires on timeout, cancellation of the run, or worker shutdown. */
  signal: AbortSignal;
  /** 1 on the first attempt; counts across crashes and restarts. */
  attempt: number;
  /** Stable across attempts and restarts of this step: use it to make side effects idempotent. */
  idempotencyKey: string;
  runId: string;
  stepId: string;
}

export interface StepOptions {
  retry?: RetryOptions;
  timeout?: Duration;
  classifiers?: readonly ClassifierRule[];
}

/** The handle a workflow function gets. Everything nondeterministic goes through it. */
export class WorkflowContext {
  private readonly occurrences = new Map<string, number>();
  private readonly signalTurns = new Map<string, Promise<void>>();
  private callIndex = 0;

  constructor(private readonly exec: RunExecution) {}

  get runId(): string {
    return this.exec.runId;
  }

  get workflowName(): string {
    return this.exec.workflow.name;
  }

  /**
   * Runs `fn` once per run (at least once if the process dies mid-step); commits its result.
   * Resolves with the result as stored (JSON), on the first execution and on replay alike: a Date
   * comes back as its ISO string, hence the `Jsonify<T>` type; class instances are refused.
   */
  step<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions): Promise<Jsonify<T>> {
    const call = this.stepCall(name, fn, options);
    // Called after the workflow returned: that call fails (StepAfterCompletionError) and nothing
    // else. Its rejection is marked handled, so a call nobody awaits cannot crash the process as
    // an unhandled rejection; whoever awaits it still gets the error.
    if (this.exec.finished) call.catch(() => {});
    return call;
  }

  private async stepCall<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions): Promise<Jsonify<T>> {
    // Before anything runs or is written: a bad name or option fails this call (configuration).
    checkStepCall(this.exec.workflow.name, name, fn, options, () => this.exec.retryPolicy(options ?? {}, name));
    const slot = this.nextSlot(name, 'step');
    if (slot.record) return this.replayed<Jsonify<T>>(slot.record);
    return this.exec.runStep(slot.stepId, name, slot.seq, fn, options) as Promise<Jsonify<T>>;
  }

  /** Durable sleep: the run gives up its lease and memory and is woken after `duration`. */
  async sleep(duration: Duration): Promise<void> {
    const ms = toMs(duration, 'ctx.sleep duration');
    const slot = this.nextSlot('sleep', 'sleep');
    let wakeAt: number;
    if (slot.record) {
      wakeAt = fromJson<{ wakeAt: number }>(slot.record.output).wakeAt;
    } else {
      wakeAt = this.exec.clock.now() + ms;
      await this.exec.commitValue(slot, 'sleep', { wakeAt });
    }
    if (this.exec.clock.now() >= wakeAt) return;
    // `lifeline resume` / wake() ends a sleep early: a wake recorded after this sleep began counts.
    if (slot.record && (await this.exec.wokenSince(slot.record.startedAt))) return;
    return this.exec.suspend({ type: 'sleep', wakeAt });
  }

  /** Recorded wall-clock time (epoch ms): the same value on replay. */
  now(): Promise<number> {
    return this.recorded('now', () => this.exec.clock.now());
  }

  /** Recorded Math.random(). */
  random(): Promise<number> {
    return this.recorded('random', () => Math.random());
  }

  /** Recorded random UUID. */
  uuid(): Promise<string> {
    return this.recorded('uuid', () => randomUUID());
  }

  /**
   * Waits durably for a signal sent to this run (API `signal()` or CLI `lifeline signal`).
   * Returns its payload; throws SignalTimeoutError when `timeout` passes first.
   */
  async waitForSignal<T = unknown>(name: string, options: { timeout?: Duration } = {}): Promise<T> {
    checkWaitOptions(options, name);
    const timeoutMs = options.timeout === undefined ? undefined : toMs(options.timeout, `waitForSignal "${name}".timeout`);
    const slot = this.nextSlot(`signal:${name}`, 'signal');
    if (slot.record && slot.record.status !== 'waiting') return this.replayed<T>(slot.record);
    let deadline: number | null;
    if (slot.record) {
      deadline = fromJson<{ deadline: number | null }>(slot.record.output).deadline;
    } else {
      deadline = timeoutMs === undefined ? null : this.exec.clock.now() + timeoutMs;
    }
    // Waits for the same name take turns (in call order, so replay is deterministic): two
    // concurrent waits must not both see, and try to consume, the same oldest signal.
    const previous = this.signalTurns.get(name) ?? Promise.resolve();
    let endTurn: () => void = () => {};
    const turn = new Promise<void>((resolve) => (endTurn = resolve));
    this.signalTurns.set(name, previous.then(() => turn));
    await previous;
    try {
      const signal = await this.exec.storeCall(() => this.exec.store.peekSignal(this.runId, name), { abortable: true });
      if (signal) {
        await this.exec.commitValue(slot, 'signal', fromJson(signal.payload), signal.id);
        return fromJson<T>(signal.payload);
      }
      if (deadline !== null && this.exec.clock.now() >= deadline) {
        const error = new SignalTimeoutError(name, timeoutMs ?? 0);
        await this.exec.commitFailure(slot, 'signal', error, 'timeout');
        throw error;
      }
      if (!slot.record) await this.exec.commitWaiting(slot, 'signal', { deadline });
    } finally {
      endTurn();
    }
    return this.exec.suspend({ type: 'wait', wakeAt: deadline, signalName: name });
  }

  /** Starts a child workflow run durably and returns its output (throws if it fails). */
  async child<I, O>(workflow: WorkflowDefinition<I, O>, input: I): Promise<Jsonify<O>> {
    const slot = this.nextSlot(`child:${workflow.name}`, 'child');
    if (slot.record && slot.record.status !== 'waiting') return this.replayed<Jsonify<O>>(slot.record);
    const childRunId = `${this.runId}/${slot.stepId}`;
    if (!slot.record) {
      await this.exec.startChild(childRunId, workflow as unknown as WorkflowDefinition, input);
      await this.exec.commitWaiting(slot, 'child', { childRunId });
    }
    const child = await this.exec.storeCall(() => this.exec.store.getRun(childRunId), { abortable: true });
    if (child?.status === 'completed') {
      await this.exec.commitValue(slot, 'child', fromJson(child.output));
      return fromJson<Jsonify<O>>(child.output);
    }
    if (child && (child.status === 'failed' || child.status === 'cancelled')) {
      const cls = child.error?.errorClass ?? 'cancelled';
      const message = child.error?.message ?? `child run ${childRunId} was cancelled`;
      const error = new StepFailedError(slot.stepId, cls, 1, message);
      await this.exec.commitFailure(slot, 'child', error, cls);
      throw error;
    }
    return this.exec.suspend({ type: 'wait', wakeAt: null, childRunId });
  }

  /** A committed step: its recorded result (or final error) without running it again. */
  private replayed<T>(record: StepRecord): Promise<T> {
    this.exec.deps.emit(this.exec.event('step.replayed', { stepId: record.stepId, status: record.status }));
    return replay<T>(record);
  }

  private async recorded<T>(kind: 'now' | 'random' | 'uuid', make: () => T): Promise<T> {
    const slot = this.nextSlot(kind, kind);
    if (slot.record) return fromJson<T>(slot.record.output);
    const value = make();
    await this.exec.commitValue(slot, kind, value);
    return value;
  }

  /** Assigns the step its identity (name#occurrence, seq) and checks it against history. */
  private nextSlot(name: string, kind: StepKind): Slot {
    if (this.exec.finished) throw new StepAfterCompletionError(this.runId, name);
    const occurrence = this.occurrences.get(name) ?? 0;
    this.occurrences.set(name, occurrence + 1);
    const stepId = `${name}#${occurrence}`;
    const seq = this.callIndex++;
    const atSeq = this.exec.history.bySeq.get(seq);
    if (atSeq && atSeq.stepId !== stepId) throw this.exec.nonDeterminism(new NonDeterminismError(this.runId, atSeq.stepId, stepId));
    const record = this.exec.history.byId.get(stepId);
    if (record && record.seq !== seq) throw this.exec.nonDeterminism(new NonDeterminismError(this.runId, record.stepId, stepId));
    return { stepId, name, seq, record: record && record.kind === kind ? record : record ? this.kindMismatch(record, kind) : undefined };
  }

  private kindMismatch(record: StepRecord, kind: StepKind): never {
    throw this.exec.nonDeterminism(new NonDeterminismError(this.runId, `${record.stepId} (${record.kind})`, `${record.stepId} (${kind})`));
  }
}

export interface Slot {
  stepId: string;
  name: string;
  seq: number;
  record: StepRecord | undefined;
}

function replay<T>(record: StepRecord): Promise<T> {
  if (record.status === 'completed') return Promise.resolve(fromJson<T>(record.output));
  const e = record.error;
  return Promise.reject(
    record.kind === 'signal' && e?.errorClass === 'timeout'
      ? Object.assign(new SignalTimeoutError(record.name.slice('signal:'.length), 0), { message: e.message })
      : new StepFailedError(record.stepId, e?.errorClass ?? 'unknown', e?.attempts ?? record.attempts, e?.message ?? 'failed'),
  );
}
