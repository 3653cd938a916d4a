import type { Classification } from './classification.js';
import type { ErrorKind } from './error-kind.js';
import { isRetryableClass, type ErrorClass } from '../errors/error-class.js';
import { errorMessage, errorNames, httpStatus, prop } from './error-shape.js';
import { retryAfterMsOf } from './retry-after.js';
import { resetAtOf } from './reset-time.js';

/**
 * The error codes and types LLM providers put in their error bodies, wherever the SDK keeps
 * them: openai's APIError (`code`, `type`, `error.{code,type}`), Anthropic's
 * (`type`, `error.error.type`), the AI SDK's APICallError (`data.error.*`, `responseBody`).
 */
export function providerCodes(error: unknown): string[] {
  const body = prop(error, 'error');
  const data = prop(error, 'data');
  const parsed = parsedBody(prop(error, 'responseBody'));
  const holders = [error, body, prop(body, 'error'), data, prop(data, 'error'), parsed, prop(parsed, 'error')];
  const codes = new Set<string>();
  for (const holder of holders) {
    for (const key of ['code', 'type']) {
      const v = prop(holder, key);
      if (typeof v === 'string' && v !== '' && v !== 'error') codes.add(v);
    }
  }
  return [...codes];
}

// Bodies are attacker-sized; only a small one is worth parsing for its code.
const MAX_BODY_PARSED = 64 * 1024;

function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string' || body.length > MAX_BODY_PARSED || !body.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_error', 'billing_not_active']);
const CONTEXT_CODES = new Set(['context_length_exceeded', 'string_above_max_length']);
const CONTENT_CODES = new Set(['content_filter', 'content_policy_violation']);
const CONTEXT_MESSAGE = /maximum context length|context window|prompt is too long|input is too long for (the )?model/i;

function verdict(errorClass: ErrorClass, kind: ErrorKind, reason: string, extra: Partial<Classification> = {}): Classification {
  return { errorClass, retryable: isRetryableClass(errorClass), reason, kind, ...extra };
}

/** What an LLM provider's error means beyond its HTTP status; runs before the status rules. */
export function classifyProviderError(error: unknown, now: number): Classification | undefined {
  const status = httpStatus(error);
  const codes = providerCodes(error);
  const has = (set: ReadonlySet<string>) => codes.find((c) => set.has(c));
  // Billing: a 429 with insufficient_quota does not clear by waiting a few seconds.
  const quota = has(QUOTA_CODES);
  if (status === 402 || quota !== undefined) {
    const resetAt = resetAtOf(error, now);
    return verdict('configuration', 'quota_exhausted', quota !== undefined ? `code ${quota}` : 'HTTP 402', resetAt === undefined ? {} : { resetAt });
  }
  const context = has(CONTEXT_CODES);
  if (context !== undefined) return verdict('validation', 'context_overflow', `code ${context}`);
  if ((status === 400 || status === 413) && CONTEXT_MESSAGE.test(errorMessage(error)))
    return verdict('validation', 'context_overflow', `HTTP ${status} (context length)`);
  const content = has(CONTENT_CODES);
  if (content !== undefined) return verdict('validation', 'content_policy', `code ${content}`);
  if (codes.includes('model_not_found')) return verdict('configuration', 'model_not_found', 'code model_not_found');
  if (status === 529 || codes.includes('overloaded_error')) {
    const after = retryAfterMsOf(error, now);
    return verdict('transient', 'overloaded', status === 529 ? 'HTTP 529' : 'code overloaded_error', after === undefined ? {} : { retryAfterMs: after });
  }
  return finishReason(error);
}

/**
 * The model stopped early: openai's LengthFinishReasonError / ContentFilterFinishReasonError,
 * or an error carrying `finishReason` (the AI SDK's NoObjectGeneratedError). The same request
 * ends the same way, so it is not retried as is.
 */
function finishReason(error: unknown): Classification | undefined {
  const names = errorNames(error);
  const reason = prop(error, 'finishReason');
  if (names.includes('LengthFinishReasonError') || reason === 'length') return verdict('validation', 'output_truncated', 'finish reason length');
  if (names.includes('ContentFilterFinishReasonError') || reason === 'content-filter' || reason === 'content_filter') {
    return verdict('validation', 'content_policy', 'finish reason content filter');
  }
  return undefined;
}
