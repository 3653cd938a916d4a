// W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/), written and read here
// rather than through the global propagator: a child run must find its parent's trace even when
// the application registered no propagator (or another format) in the worker that executes it.
import { ROOT_CONTEXT, SpanKind, trace, isSpanContextValid, type Context, type SpanContext } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-<trace id>-<span id>-<flags>` of a valid span context, else null. */
export function formatTraceParent(span: SpanContext | undefined): string | null {
  if (span === undefined || !isSpanContextValid(span)) return null;
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The remote parent a stored traceparent names, as a context to start spans in; null when absent or malformed. */
export function contextOfTraceParent(value: string | null | undefined): Context | null {
  if (!value) return null;
  const m = TRACEPARENT.exec(value);
  if (m === null) return null;
  const span: SpanContext = { traceId: m[1] as string, spanId: m[2] as string, traceFlags: parseInt(m[3] as string, 16), isRemote: true };
  return isSpanContextValid(span) ? trace.setSpanContext(ROOT_CONTEXT, span) : null;
}

/**
 * For a run being created: a short `start <workflow>` span (a child of the caller's active span,
 * if any) whose traceparent is stored with the run, so every execution segment of the run, in
 * whichever worker, is a child of it and the run is one trace. Null when no SDK is registered.
 */
export function startRunTraceParent(workflow: string, runId: string): string | null {
  const span = trace.getTracer('lifeline').startSpan(`start ${workflow}`, {
    kind: SpanKind.PRODUCER,
    attributes: { 'lifeline.run_id': runId, 'lifeline.workflow': workflow },
  });
  const parent = formatTraceParent(span.spanContext());
  span.end();
  return parent;
}
