// OpenTelemetry spans of a run's execution in this worker: one span per execution segment (a
// claim until the run completes, fails, suspends or is released), one per step executed in it,
// one per attempt. Through @opentelemetry/api only: when the application registers no SDK the
// run span comes back invalid and nothing else is made (RunTrace.start returns null), so the
// step hot path pays one null check. Messages on spans are the engine's redacted ones; an
// error object itself is never recorded (its message and stack may hold secrets).
import { context, ROOT_CONTEXT, SpanStatusCode, trace, isSpanContextValid, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { RunRecord, StoredError } from '../store/types.js';
import type { LifelineEvent } from '../store/events.js';
import { contextOfTraceParent, formatTraceParent } from './traceparent.js';
import { redactSecrets } from '../errors/redact.js';

export const TRACER_NAME = 'lifeline';

/** The span attributes Lifeline sets (docs/observability.md, "Traces"). */
export const ATTR = {
  runId: 'lifeline.run_id',
  workflow: 'lifeline.workflow',
  claimCount: 'lifeline.claim_count',
  stepId: 'lifeline.step_id',
  stepName: 'lifeline.step_name',
  stepKind: 'lifeline.step_kind',
  attempt: 'lifeline.attempt',
  alternative: 'lifeline.alternative',
  errorClass: 'lifeline.error_class',
  errorKind: 'lifeline.error_kind',
  willRetry: 'lifeline.will_retry',
  outcome: 'lifeline.outcome',
  childRunId: 'lifeline.child_run_id',
} as const;

/** The span an event was made under (its log line carries its ids). */
const eventSpans = new WeakMap<object, SpanContext>();
/** The attempt context of a StepInfo, for spans the LLM helpers start under it (llm-trace.ts). */
const infoContexts = new WeakMap<object, Context>();

/** Trace and span id of the span `event` belongs to, when it was made while a run was traced. */
export function traceIdsOf(event: object): { traceId: string; spanId: string } | undefined {
  const span = eventSpans.get(event);
  return span === undefined ? undefined : { traceId: span.traceId, spanId: span.spanId };
}

/** The context of the attempt a StepInfo belongs to (else the active one). */
export function traceContextOf(info: object): Context {
  return infoContexts.get(info) ?? context.active();
}

/** How an attempt failed, as the engine classified it. */
export interface AttemptFailureTrace {
  errorClass: string;
  kind?: string | undefined;
  name: string;
  /** Redacted. */
  message: string;
  willRetry: boolean;
}

/** One attempt's span: the step function runs in its context (`run`). */
export class AttemptTrace {
  constructor(
    readonly span: Span,
    readonly ctx: Context,
  ) {}

  run<T>(fn: () => T): T {
    return context.with(this.ctx, fn);
  }

  /** Makes the LLM helpers' spans of this attempt children of it, whatever the context manager. */
  bind(info: object): void {
    infoContexts.set(info, this.ctx);
  }

  succeeded(): void {
    this.span.setAttribute(ATTR.outcome, 'succeeded');
    this.span.end();
  }

  failed(f: AttemptFailureTrace): void {
    const { span } = this;
    span.setAttributes({
      [ATTR.outcome]: 'failed',
      [ATTR.errorClass]: f.errorClass,
      [ATTR.willRetry]: f.willRetry,
      ...(f.kind === undefined ? {} : { [ATTR.errorKind]: f.kind }),
    });
    span.recordException({ name: f.name, message: f.message });
    span.setStatus({ code: SpanStatusCode.ERROR, message: f.message });
    span.end();
  }

  /** Ended without a result of its own: interrupted, cancelled, or the run was lost. */
  stopped(outcome: 'interrupted' | 'cancelled' | 'abandoned'): void {
    this.span.setAttribute(ATTR.outcome, outcome);
    this.span.end();
  }
}

interface StepSpan {
  span: Span;
  ctx: Context;
  /** The latest attempt: events made about it (retrying, completed) carry its ids. */
  attempt: AttemptTrace | null;
}

/** What a step's attempt loop ended with (step-attempts.ts StepOutcome, structurally). */
type StepEnd = { kind: 'completed' } | { kind: 'failed'; error: Error } | { kind: 'parked' };

/** The spans of one run's execution segment in this worker. */
export class RunTrace {
  private readonly steps = new Map<string, StepSpan>();
  private failure: StoredError | null = null;

  private constructor(
    private readonly tracer: Tracer,
    readonly span: Span,
    readonly ctx: Context,
    private readonly runId: string,
    private readonly workflow: string,
  ) {}

  /** Starts the run span (a child of the traceparent stored with the run); null when no SDK is registered. */
  static start(run: RunRecord): RunTrace | null {
    const tracer = trace.getTracer(TRACER_NAME);
    const parent = contextOfTraceParent(run.traceParent) ?? ROOT_CONTEXT;
    const span = tracer.startSpan(
      `run ${run.workflow}`,
      { attributes: { [ATTR.runId]: run.id, [ATTR.workflow]: run.workflow, [ATTR.claimCount]: run.claimCount } },
      parent,
    );
    if (!isSpanContextValid(span.spanContext())) return null;
    return new RunTrace(tracer, span, trace.setSpan(parent, span), run.id, run.workflow);
  }

  /** Runs the workflow function with the run span active. */
  within<T>(fn: () => T): T {
    return context.with(this.ctx, fn);
  }

  stepStarted(stepId: string, name: string, kind: string): void {
    const span = this.tracer.startSpan(
      `step ${name}`,
      { attributes: { [ATTR.runId]: this.runId, [ATTR.workflow]: this.workflow, [ATTR.stepId]: stepId, [ATTR.stepName]: name, [ATTR.stepKind]: kind } },
      this.ctx,
    );
    this.steps.set(stepId, { span, ctx: trace.setSpan(this.ctx, span), attempt: null });
  }

  stepEnded(stepId: string, end: StepEnd): void {
    const step = this.steps.get(stepId);
    if (step === undefined) return;
    this.steps.delete(stepId);
    const { span } = step;
    if (end.kind === 'failed') {
      const error = end.error as Error & { errorClass?: string; kind?: string };
      const message = error.message;
      span.setAttributes({
        [ATTR.outcome]: 'failed',
        ...(error.errorClass === undefined ? {} : { [ATTR.errorClass]: error.errorClass }),
        ...(error.kind === undefined ? {} : { [ATTR.errorKind]: error.kind }),
      });
      span.setStatus({ code: SpanStatusCode.ERROR, message });
    } else span.setAttribute(ATTR.outcome, end.kind);
    span.end();
  }

  attemptStarted(stepId: string, name: string, attempt: number, alternative: string | null): AttemptTrace {
    const step = this.steps.get(stepId);
    const parent = step?.ctx ?? this.ctx;
    const span = this.tracer.startSpan(
      `attempt ${name}`,
      {
        attributes: {
          [ATTR.runId]: this.runId,
          [ATTR.workflow]: this.workflow,
          [ATTR.stepId]: stepId,
          [ATTR.attempt]: attempt,
          ...(alternative === null ? {} : { [ATTR.alternative]: alternative }),
        },
      },
      parent,
    );
    const traced = new AttemptTrace(span, trace.setSpan(parent, span));
    if (step) step.attempt = traced;
    return traced;
  }

  /**
   * A child run is created from slot `stepId`: a short span for the slot, whose traceparent is
   * stored with the child so its spans join this trace in whichever worker executes it.
   */
  childStarted(stepId: string, childRunId: string, workflow: string): string | null {
    const span = this.tracer.startSpan(
      `child ${workflow}`,
      { attributes: { [ATTR.runId]: this.runId, [ATTR.workflow]: this.workflow, [ATTR.stepId]: stepId, [ATTR.childRunId]: childRunId } },
      this.ctx,
    );
    const parent = formatTraceParent(span.spanContext());
    span.end();
    return parent;
  }

  /** Marks an event made now with the span it belongs to (the step's latest attempt, the step, or the run). */
  tag(event: LifelineEvent): void {
    if (event.type === 'run.failed') this.failure = event.data.error;
    const stepId = (event.data as { stepId?: unknown } | undefined)?.stepId;
    const step = typeof stepId === 'string' ? this.steps.get(stepId) : undefined;
    eventSpans.set(event, (step?.attempt?.span ?? step?.span ?? this.span).spanContext());
  }

  /** Ends the run span with what became of the execution. */
  end(outcome: string, error?: unknown): void {
    const { span } = this;
    span.setAttribute(ATTR.outcome, outcome);
    const failure = this.failure;
    if (outcome === 'failed' && failure !== null) {
      span.setAttribute(ATTR.errorClass, failure.errorClass);
      if (failure.kind !== undefined) span.setAttribute(ATTR.errorKind, failure.kind);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    } else if (error !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: redactSecrets(error instanceof Error ? error.message : String(error)) });
    }
    // Steps left open (the run was released or lost mid-step) end with it.
    for (const [stepId] of this.steps) this.stepEnded(stepId, { kind: 'parked' });
    span.end();
  }
}
