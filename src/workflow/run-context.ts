import { randomUUID } from 'node:crypto';
import { NonDeterminismError, SignalTimeoutError, StepAfterCompletionError, StepFailedError } from '../errors/workflow-errors.js';
import { fromJson } from '../store/serialize.js';
import type { EventMap, WorkflowEventType } from '../store/events.js';
import type { SignalRecord, StepKind, StepRecord } from '../store/types.js';
import type {
  FallbackAlternative,
  FallbackOptions,
  FallbackResult,
  ReceivedMessage,
  ReceiveOptions,
  SentMessage,
  StepInfo,
  StepOptions,
  WorkflowContext,
} from './context.js';
import { checkFallbackCall } from '../options/fallback-options.js';
import type { WorkflowDefinition } from './define.js';
import { toMs, type Duration } from './duration.js';
import { checkSendCall, checkStepCall, checkWaitOptions } from '../options/public-options.js';
import { MessageUndeliverableError } from '../errors/message-errors.js';
import { ReceiveTimeoutError } from '../errors/mailbox-errors.js';
import { checkReceiveOptions } from '../options/mailbox-options.js';
import type { Jsonify } from './jsonify.js';
import type { Slot, StepHost } from './step-host.js';
import { routedStep } from './routes.js';
import { checkPatchId } from '../options/version-options.js';

/** The workflow context of one run execution: it sees the run only through its StepHost. */
export class RunContext implements WorkflowContext {
  private readonly occurrences = new Map<string, number>();
  private signalTurn: Promise<void> = Promise.resolve();
  private callIndex = 0;
  /** ctx.patched answers by patch id: one answer per run. */
  private readonly patches = new Map<string, boolean>();

  constructor(private readonly host: StepHost) {}

  get runId(): string {
    return this.host.runId;
  }

  get workflowName(): string {
    return this.host.workflow.name;
  }

  step<T, D = T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions<D>): Promise<Jsonify<T> | Jsonify<D>> {
    const call = options?.routes === undefined ? this.stepCall<T | D>(name, fn, options) : this.routedCall<T | D>(name, fn, options);
    return this.handledAfterFinish(call as Promise<Jsonify<T> | Jsonify<D>>);
  }

  fallback<T>(name: string, alternatives: readonly FallbackAlternative<T>[], options?: FallbackOptions): Promise<FallbackResult<T>> {
    return this.handledAfterFinish(this.fallbackCall(name, alternatives, options));
  }

  /**
   * Called after the workflow returned: that call fails (StepAfterCompletionError) and nothing
   * else. Its rejection is marked handled, so a call nobody awaits cannot crash the process as
   * an unhandled rejection; whoever awaits it still gets the error.
   */
  private handledAfterFinish<R>(call: Promise<R>): Promise<R> {
    if (this.host.finished) call.catch(() => {});
    return call;
  }

  private async fallbackCall<T>(name: string, alternatives: readonly FallbackAlternative<T>[], options?: FallbackOptions): Promise<FallbackResult<T>> {
    // Before anything runs or is written: an empty chain, a duplicate name, an unknown class fail this call (configuration).
    const { on, onKinds } = checkFallbackCall(this.host.workflow.name, name, alternatives, options);
    const slot = this.nextSlot(name, 'fallback');
    if (slot.record) {
      if (options?.compensate !== undefined) this.host.compensable(slot.record, options as StepOptions);
      return this.replayed<FallbackResult<T>>(slot.record);
    }
    const chain = { alternatives: alternatives as readonly FallbackAlternative<unknown>[], on, onKinds };
    return this.host.runFallback(slot.stepId, name, slot.seq, chain, options ?? {}) as Promise<FallbackResult<T>>;
  }

  private async stepCall<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions<T>): Promise<Jsonify<T>> {
    // Before anything runs or is written: a bad name or option fails this call (configuration).
    checkStepCall(this.host.workflow.name, name, fn, options, () => this.host.retryPolicy(options ?? {}, name));
    const slot = this.nextSlot(name, 'step');
    if (slot.record) {
      if (options?.compensate !== undefined) this.host.compensable(slot.record, options as StepOptions);
      return this.replayed<Jsonify<T>>(slot.record);
    }
    return this.host.runStep(slot.stepId, name, slot.seq, fn, options) as Promise<Jsonify<T>>;
  }

  /** A step with failure routes (workflow/routes.ts): checked first, then composed of plain steps. */
  private async routedCall<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options: StepOptions<T>): Promise<Jsonify<T>> {
    checkStepCall(this.host.workflow.name, name, fn, options, () => this.host.retryPolicy(options, name));
    return routedStep(
      {
        step: (n, f, o) => this.stepCall(n, f, o),
        nextStep: (n) => {
          const stepId = `${n}#${this.occurrences.get(n) ?? 0}`;
          return { stepId, committed: this.host.history.byId.has(stepId) };
        },
        routed: (data) => this.host.stepRouted(data),
      },
      name,
      fn,
      options,
    );
  }

  async sleep(duration: Duration): Promise<void> {
    const ms = toMs(duration, 'ctx.sleep duration');
    const slot = this.nextSlot('sleep', 'sleep');
    let wakeAt: number;
    if (slot.record) {
      wakeAt = fromJson<{ wakeAt: number }>(slot.record.output).wakeAt;
    } else {
      wakeAt = this.host.clock.now() + ms;
      await this.host.commitValue(slot, 'sleep', { wakeAt });
    }
    if (this.host.clock.now() >= wakeAt) return;
    // `lifeline resume` / wake() ends a sleep early: a wake recorded after this sleep began counts.
    if (slot.record && (await this.host.wokenSince(slot.record.startedAt))) return;
    return this.host.suspend({ type: 'sleep', wakeAt });
  }

  now(): Promise<number> {
    return this.recorded('now', () => this.host.clock.now());
  }

  random(): Promise<number> {
    return this.recorded('random', () => Math.random());
  }

  uuid(): Promise<string> {
    return this.recorded('uuid', () => randomUUID());
  }

  async waitForSignal<T = unknown>(name: string, options: { timeout?: Duration } = {}): Promise<T> {
    checkWaitOptions(options, name);
    const timeoutMs = options.timeout === undefined ? undefined : toMs(options.timeout, `waitForSignal "${name}".timeout`);
    const slot = this.nextSlot(`signal:${name}`, 'signal');
    if (slot.record && slot.record.status !== 'waiting') return this.replayed<T>(slot.record);
    let deadline: number | null;
    if (slot.record) {
      deadline = fromJson<{ deadline: number | null }>(slot.record.output).deadline;
    } else {
      deadline = timeoutMs === undefined ? null : this.host.clock.now() + timeoutMs;
    }
    const got = await this.inSignalTurn(async () => {
      const signal = await this.host.peekSignal(name);
      if (signal) {
        await this.host.commitValue(slot, 'signal', fromJson(signal.payload), signal.id);
        return { payload: fromJson<T>(signal.payload) };
      }
      if (deadline !== null && this.host.clock.now() >= deadline) {
        const error = new SignalTimeoutError(name, timeoutMs ?? 0);
        await this.host.commitFailure(slot, 'signal', error, 'timeout');
        throw error;
      }
      if (!slot.record) await this.host.commitWaiting(slot, 'signal', { deadline });
      return null;
    });
    if (got) return got.payload;
    return this.host.suspend({ type: 'wait', wakeAt: deadline, signalName: name });
  }

  async receive<T = unknown>(options: ReceiveOptions = {}): Promise<ReceivedMessage<T>> {
    checkReceiveOptions(options, 'receive');
    const timeoutMs = options.timeout === undefined ? undefined : toMs(options.timeout, 'ctx.receive.timeout');
    const names = options.names;
    const slot = this.nextSlot('receive', 'receive');
    if (slot.record && slot.record.status !== 'waiting') return this.replayed<ReceivedMessage<T>>(slot.record);
    let deadline: number | null;
    if (slot.record) deadline = fromJson<{ deadline: number | null }>(slot.record.output).deadline;
    else deadline = timeoutMs === undefined ? null : this.host.clock.now() + timeoutMs;
    const got = await this.inSignalTurn(async () => {
      const signal = await this.host.nextSignal(names);
      if (signal) return this.consumeMessage<T>(slot, signal);
      if (deadline !== null && this.host.clock.now() >= deadline) {
        const error = new ReceiveTimeoutError(names ?? null, timeoutMs ?? 0);
        await this.host.commitFailure(slot, 'receive', error, 'timeout');
        throw error;
      }
      if (!slot.record) await this.host.commitWaiting(slot, 'receive', { deadline });
      return null;
    });
    if (got) return got;
    return this.host.suspend({ type: 'wait', wakeAt: deadline, ...(names === undefined ? { anySignal: true } : { signalNames: names }) });
  }

  async tryReceive<T = unknown>(options: Pick<ReceiveOptions, 'names'> = {}): Promise<ReceivedMessage<T> | null> {
    checkReceiveOptions(options, 'tryReceive');
    const slot = this.nextSlot('receive', 'receive');
    if (slot.record) return this.replayed<ReceivedMessage<T> | null>(slot.record);
    return this.inSignalTurn(async () => {
      const signal = await this.host.nextSignal(options.names);
      if (signal) return this.consumeMessage<T>(slot, signal);
      await this.host.commitValue(slot, 'receive', null);
      return null;
    });
  }

  /** Commits the read of `signal` (consuming it in the same transaction) and returns it as a message. */
  private async consumeMessage<T>(slot: Slot, signal: SignalRecord): Promise<ReceivedMessage<T>> {
    const message: ReceivedMessage<T> = {
      id: signal.id,
      name: signal.name,
      payload: fromJson<T>(signal.payload),
      from: signal.senderRunId,
      sentAt: signal.createdAt,
    };
    await this.host.commitValue(slot, 'receive', message, signal.id);
    return message;
  }

  /**
   * Every read of signals (waitForSignal, receive) takes its turn, in call order, so replay is
   * deterministic: two concurrent reads must not both see, and try to consume, the same signal.
   * A turn covers the read and its commit, never the wait that may follow.
   */
  private async inSignalTurn<R>(read: () => Promise<R>): Promise<R> {
    const previous = this.signalTurn;
    let endTurn: () => void = () => {};
    const turn = new Promise<void>((resolve) => (endTurn = resolve));
    this.signalTurn = previous.then(() => turn);
    await previous;
    try {
      return await read();
    } finally {
      endTurn();
    }
  }

  async send(runId: string, name: string, payload?: unknown): Promise<SentMessage> {
    checkSendCall(this.host.workflow.name, runId, name);
    const slot = this.nextSlot(`send:${name}`, 'send');
    if (slot.record) return this.replayed<SentMessage>(slot.record);
    // The id names this run and this step: a replay or a resumed run sends the same message again,
    // and the store, finding that id, stores nothing new.
    const messageId = `${this.runId}/${slot.stepId}`;
    try {
      await this.host.sendMessage(messageId, runId, name, payload);
    } catch (error) {
      if (!(error instanceof MessageUndeliverableError)) throw error;
      await this.host.commitFailure(slot, 'send', error, error.errorClass);
      throw error;
    }
    const sent: SentMessage = { messageId, to: runId };
    await this.host.commitValue(slot, 'send', sent);
    return sent;
  }

  async recordEvent<K extends WorkflowEventType>(type: K, data: EventMap[K]): Promise<void> {
    const slot = this.nextSlot(`event:${type}`, 'event');
    if (slot.record) return;
    await this.host.commitEvent(slot, type, data);
  }

  async patched(patchId: string): Promise<boolean> {
    checkPatchId(this.host.workflow.name, patchId, 'ctx.patched');
    const known = this.patches.get(patchId);
    if (known !== undefined) return known;
    const name = `patch:${patchId}`;
    if (this.markerAtNextSeq(name)) {
      this.patches.set(patchId, true);
      this.nextSlot(name, 'patch');
      return true;
    }
    // History goes on past this point without the marker: the run passed here under the old code.
    // No position is taken, so the old path's steps replay at the positions they were recorded at.
    if (this.historyReaches(this.callIndex)) {
      this.patches.set(patchId, false);
      return false;
    }
    this.patches.set(patchId, true);
    const slot = this.nextSlot(name, 'patch');
    await this.host.commitValue(slot, 'patch', { patchId });
    return true;
  }

  deprecatePatch(patchId: string): void {
    checkPatchId(this.host.workflow.name, patchId, 'ctx.deprecatePatch');
    const name = `patch:${patchId}`;
    if (this.patches.has(patchId) || !this.markerAtNextSeq(name)) return;
    this.patches.set(patchId, true);
    this.nextSlot(name, 'patch');
  }

  /** The record at the next position is the marker `name` (its first occurrence: one marker per patch id). */
  private markerAtNextSeq(name: string): boolean {
    return this.host.history.bySeq.get(this.callIndex)?.stepId === `${name}#0`;
  }

  /** Whether a step is recorded at position `seq` or after it (an unfinished step may leave a gap). */
  private historyReaches(seq: number): boolean {
    for (const recorded of this.host.history.bySeq.keys()) if (recorded >= seq) return true;
    return false;
  }

  async child<I, O>(workflow: WorkflowDefinition<I, O>, input: I): Promise<Jsonify<O>> {
    const slot = this.nextSlot(`child:${workflow.name}`, 'child');
    if (slot.record && slot.record.status !== 'waiting') return this.replayed<Jsonify<O>>(slot.record);
    const childRunId = `${this.runId}/${slot.stepId}`;
    if (!slot.record) {
      await this.host.startChild(childRunId, workflow as unknown as WorkflowDefinition, input);
      await this.host.commitWaiting(slot, 'child', { childRunId });
    }
    const child = await this.host.getRun(childRunId);
    if (child?.status === 'completed') {
      await this.host.commitValue(slot, 'child', fromJson(child.output));
      return fromJson<Jsonify<O>>(child.output);
    }
    if (child && (child.status === 'failed' || child.status === 'cancelled')) {
      const cls = child.error?.errorClass ?? 'cancelled';
      const message = child.error?.message ?? `child run ${childRunId} was cancelled`;
      const error = new StepFailedError(slot.stepId, cls, 1, message);
      await this.host.commitFailure(slot, 'child', error, cls);
      throw error;
    }
    return this.host.suspend({ type: 'wait', wakeAt: null, childRunId });
  }

  /** A committed step: its recorded result (or final error) without running it again. */
  private replayed<T>(record: StepRecord): Promise<T> {
    this.host.stepReplayed(record);
    return replay<T>(record);
  }

  private async recorded<T>(kind: 'now' | 'random' | 'uuid', make: () => T): Promise<T> {
    const slot = this.nextSlot(kind, kind);
    if (slot.record) return fromJson<T>(slot.record.output);
    const value = make();
    await this.host.commitValue(slot, kind, value);
    return value;
  }

  /** Assigns the step its identity (name#occurrence, seq) and checks it against history. */
  private nextSlot(name: string, kind: StepKind): Slot {
    if (this.host.finished) throw new StepAfterCompletionError(this.runId, name);
    const occurrence = this.occurrences.get(name) ?? 0;
    this.occurrences.set(name, occurrence + 1);
    const stepId = `${name}#${occurrence}`;
    const seq = this.callIndex++;
    const atSeq = this.host.history.bySeq.get(seq);
    if (atSeq && atSeq.stepId !== stepId) throw this.nonDeterminism(atSeq.stepId, stepId);
    const record = this.host.history.byId.get(stepId);
    if (record && record.seq !== seq) throw this.nonDeterminism(record.stepId, stepId);
    return { stepId, name, seq, record: record && record.kind === kind ? record : record ? this.kindMismatch(record, kind) : undefined };
  }

  private kindMismatch(record: StepRecord, kind: StepKind): never {
    throw this.nonDeterminism(`${record.stepId} (${record.kind})`, `${record.stepId} (${kind})`);
  }

  private nonDeterminism(expected: string, actual: string): Error {
    const versions = { workflow: this.host.workflow.name, run: this.host.runVersion, worker: this.host.workflow.version ?? null };
    return this.host.nonDeterminism(new NonDeterminismError(this.runId, expected, actual, versions));
  }
}

function replay<T>(record: StepRecord): Promise<T> {
  // A best-effort step that failed returns the default it recorded, not the error.
  if (record.status === 'completed' || record.error?.defaulted === true) return Promise.resolve(fromJson<T>(record.output));
  const e = record.error;
  if (record.kind === 'signal' && e?.errorClass === 'timeout')
    return Promise.reject(Object.assign(new SignalTimeoutError(record.name.slice('signal:'.length), 0), { message: e.message }));
  if (record.kind === 'receive' && e?.errorClass === 'timeout') return Promise.reject(Object.assign(new ReceiveTimeoutError(null, 0), { message: e.message }));
  // An undeliverable message fails its replay with the same error class and message.
  if (record.kind === 'send' && e?.name === 'MessageUndeliverableError')
    return Promise.reject(Object.assign(new MessageUndeliverableError('', record.name.slice('send:'.length), ''), { message: e.message }));
  return Promise.reject(new StepFailedError(record.stepId, e?.errorClass ?? 'unknown', e?.attempts ?? record.attempts, e?.message ?? 'failed'));
}
