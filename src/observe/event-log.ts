import type { EventType, LifelineEvent } from '../store/events.js';
import { traceIdsOf } from './run-trace.js';

/**
 * What Lifeline logs through: a pino logger, or anything with pino's calling convention
 * (`logger.info(fields, message)`) for info, warn, error and debug. docs/observability.md, "Logs".
 */
export interface LifelineLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  debug(fields: object, message?: string): void;
  child?(bindings: Record<string, unknown>): LifelineLogger;
}

/** The methods a `logger` option must have (checked up front, options/public-options.ts). */
export const LOGGER_METHODS = ['info', 'warn', 'error', 'debug'] as const;

/** Log level of an engine event: failures stand out, routine progress is info. */
export function levelOf(type: EventType): 'error' | 'warn' | 'info' {
  if (type === 'run.failed' || type === 'worker.error' || type === 'worker.store_exhausted' || type === 'run.parked') return 'error';
  return WARN.has(type) ? 'warn' : 'info';
}

const WARN: ReadonlySet<EventType> = new Set<EventType>([
  'schedule.skipped',
  'step.failed',
  'step.retrying',
  'step.fallback',
  'step.defaulted',
  'run.degraded',
  'run.loop_detected',
  'run.gate_warned',
  'run.owner_dead',
  'store.unavailable',
]);

/** Whether the step goes on after the failure an event reports (another attempt, or the next alternative). */
const WILL_RETRY: Partial<Record<EventType, boolean>> = { 'step.retrying': true, 'step.fallback': true, 'step.failed': false, 'step.defaulted': false };

/**
 * The fields of an event's log line: its name, run, time and payload (redacted by the engine
 * before the event was built, so logged as is), `willRetry` on a step failure, and the trace and
 * span ids (`trace_id`, `span_id`, as OpenTelemetry's log correlation names them) of the span it
 * was made under, when the run is traced.
 */
export function logFields(event: LifelineEvent): Record<string, unknown> {
  const fields: Record<string, unknown> = { event: event.type, runId: event.runId || undefined, at: event.at, ...event.data };
  const willRetry = WILL_RETRY[event.type];
  if (willRetry !== undefined && 'attempt' in fields) fields['willRetry'] = willRetry;
  const ids = traceIdsOf(event);
  if (ids !== undefined) {
    fields['trace_id'] = ids.traceId;
    fields['span_id'] = ids.spanId;
  }
  return fields;
}

/** A short readable message for the line (the fields carry the details). */
export function logMessage(event: LifelineEvent): string {
  switch (event.type) {
    case 'run.created':
      return `run ${event.runId} created (workflow ${event.data.workflow})`;
    case 'run.claimed':
      return `run ${event.runId} ${event.data.claimCount > 1 ? 'resumed' : 'started'}`;
    case 'run.completed':
      return `run ${event.runId} completed`;
    case 'run.failed':
      return `run ${event.runId} failed [${event.data.error.errorClass}]: ${event.data.error.message}`;
    case 'step.started':
      return `step ${event.data.stepId} attempt ${event.data.attempt} started`;
    case 'step.completed': {
      const d = event.data;
      if ('kind' in d) return `step ${d.stepId} (${d.kind}) completed`;
      return `step ${d.stepId} completed${d.durationMs === undefined ? '' : ` in ${d.durationMs.toFixed(1)} ms`}${d.outputBytes === undefined ? '' : ` (${d.outputBytes} B)`}`;
    }
    case 'step.retrying':
      return `step ${event.data.stepId} attempt ${event.data.attempt} failed [${event.data.errorClass}], retrying in ${event.data.delayMs} ms: ${event.data.message}`;
    case 'step.failed': {
      const d = event.data;
      return 'kind' in d ? `step ${d.stepId} (${d.kind}) failed` : `step ${d.stepId} failed [${d.errorClass}] after ${d.attempt} attempt(s): ${d.message}`;
    }
    default:
      return event.type;
  }
}

/**
 * Logs engine events through `logger`, one line per event. A logger that throws is reported as a
 * process warning: logging never fails the engine.
 */
export function eventLogger(logger: LifelineLogger): (event: LifelineEvent) => void {
  return (event) => {
    try {
      logger[levelOf(event.type)](logFields(event), logMessage(event));
    } catch (error) {
      process.emitWarning(`The Lifeline logger threw on ${event.type}: ${error instanceof Error ? error.name : typeof error}`, {
        code: 'LIFELINE_LOGGER_ERROR',
      });
    }
  };
}

/** Output of the CLI's `--log`: pino's JSON lines, or the same lines made readable (pretty-log.ts). */
export type LogFormat = 'json' | 'pretty';

/**
 * Structured logs (one pino line per engine event) for the CLI's `--log`. pino is imported only
 * here, on demand, so the CLI's start-up stays lean when logs are not asked for.
 */
export async function createEventLogger(
  destination: NodeJS.WritableStream = process.stdout,
  format: LogFormat = 'json',
): Promise<(event: LifelineEvent) => void> {
  const { pino } = await import('pino');
  const out = format === 'pretty' ? (await import('./pretty-log.js')).prettyStream(destination) : destination;
  const logger = pino({ base: { service: 'lifeline' }, timestamp: pino.stdTimeFunctions.isoTime }, out);
  return eventLogger(logger);
}
