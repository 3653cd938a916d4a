/**
 * How a failure should be treated. The class, not the concrete error type, drives retries,
 * so the engine never needs to know about any particular SDK's errors.
 */
export type ErrorClass =
  'transient' | 'rate_limit' | 'timeout' | 'dependency' | 'configuration' | 'validation' | 'logic' | 'interrupted' | 'cancelled' | 'unknown';

export const ERROR_CLASSES: readonly ErrorClass[] = Object.freeze([
  'transient',
  'rate_limit',
  'timeout',
  'dependency',
  'configuration',
  'validation',
  'logic',
  'interrupted',
  'cancelled',
  'unknown',
] as const);

// Retrying cannot fix a wrong config, bad input or a bug, and a cancelled run must stay
// cancelled. Unknown errors are retried: giving up on a blip is worse than a few retries.
const NOT_RETRYABLE: ReadonlySet<ErrorClass> = new Set<ErrorClass>(['configuration', 'validation', 'logic', 'cancelled']);

export function isRetryableClass(c: ErrorClass): boolean {
  return !NOT_RETRYABLE.has(c);
}

export function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'string' && (ERROR_CLASSES as readonly string[]).includes(value);
}
