import { errorHeader } from './error-shape.js';

/**
 * The server's requested wait, from `retry-after-ms` (OpenAI/Anthropic, milliseconds) or
 * the standard `retry-after` (delay-seconds or an HTTP date). Undefined when absent or
 * unparseable, so a garbage header falls back to normal backoff instead of a wrong wait.
 */
export function retryAfterMsOf(error: unknown, now: number): number | undefined {
  const ms = parseNonNegative(errorHeader(error, 'retry-after-ms'));
  if (ms !== undefined) return ms;
  const raw = errorHeader(error, 'retry-after')?.trim();
  if (raw === undefined || raw === '') return undefined;
  const seconds = parseNonNegative(raw);
  if (seconds !== undefined) return seconds * 1000;
  // Only a date-looking value is parsed as a date: Date.parse accepts odd inputs like "1".
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseNonNegative(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
