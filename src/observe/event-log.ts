import type { EventType, LifelineEvent } from '../store/events.js';

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

/**
 * Structured JSON logs (one pino line per engine event) for `--log json`. pino is imported
 * only here, on demand, so the CLI's start-up stays lean when logs are not asked for. Event
 * data is already redacted by the engine before it is built, so it is logged as is.
 */
export async function createEventLogger(destination: NodeJS.WritableStream = process.stdout): Promise<(event: LifelineEvent) => void> {
  const { pino } = await import('pino');
  const logger = pino({ base: { service: 'lifeline' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  return (event) => {
    logger[levelOf(event.type)]({ event: event.type, runId: event.runId || undefined, at: event.at, ...event.data }, event.type);
  };
}
