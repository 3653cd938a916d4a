import type { Classification } from './classification.js';
import type { ErrorKind } from './error-kind.js';
import { isRetryableClass, type ErrorClass } from '../errors/error-class.js';
import { chainCodes, errorMessage, errorNames, httpStatus, ownCodes } from './error-shape.js';
import { retryAfterMsOf } from './retry-after.js';
import { exhaustedLimitResetMs } from './reset-time.js';
import { classifyProviderError } from './provider-errors.js';
import { classifyAbort, type ClassifyContext } from './abort.js';

/** A built-in rule: a classification, or undefined to let the next rule look. */
export type BuiltinRule = (error: unknown, now: number, context: ClassifyContext) => Classification | undefined;

function verdict(errorClass: ErrorClass, reason: string, retryAfterMs?: number, kind?: ErrorKind): Classification {
  const c: Classification = { errorClass, retryable: isRetryableClass(errorClass), reason };
  if (retryAfterMs !== undefined) c.retryAfterMs = retryAfterMs;
  if (kind !== undefined) c.kind = kind;
  return c;
}

const RATE_LIMIT_WORD = /rate[_ -]?limit|throttl/i;

const rateLimit: BuiltinRule = (error, now) => {
  let reason: string | undefined;
  if (httpStatus(error) === 429) reason = 'HTTP 429';
  const name = errorNames(error).find((n) => RATE_LIMIT_WORD.test(n));
  const code = ownCodes(error).find((c) => RATE_LIMIT_WORD.test(c));
  reason ??= name !== undefined ? `name ${name}` : code !== undefined ? `code ${code}` : undefined;
  if (reason === undefined) return undefined;
  // Without Retry-After, the reset of the limit the server reports as used up is the wait.
  const after = retryAfterMsOf(error, now) ?? exhaustedLimitResetMs(error, now);
  const c = verdict('rate_limit', reason, after);
  if (after !== undefined) c.resetAt = now + after;
  return c;
};

const http: BuiltinRule = (error, now) => {
  const status = httpStatus(error);
  if (status === undefined) return undefined;
  const reason = `HTTP ${status}`;
  // A 503 that says the service is still coming up is worth waiting longer for.
  if (status === 503 && /not ready|loading|starting/i.test(errorMessage(error))) {
    return verdict('dependency', `${reason} (not ready)`, retryAfterMsOf(error, now));
  }
  if (status === 425) return verdict('dependency', reason, retryAfterMsOf(error, now));
  if (status === 501) return verdict('configuration', reason);
  if (status >= 500 || status === 408) return verdict('transient', reason, retryAfterMsOf(error, now));
  // 404 from an API almost always means a wrong URL or model name, not a missing record.
  if (status === 401 || status === 403) return verdict('configuration', reason, undefined, 'auth');
  if (status === 404) return verdict('configuration', reason);
  if (status === 413) return verdict('validation', reason, undefined, 'payload_too_large');
  if (status === 400 || status === 422) return verdict('validation', reason);
  return undefined;
};

const CODE_CLASSES: Readonly<Record<string, ErrorClass>> = {
  ECONNRESET: 'transient',
  ETIMEDOUT: 'transient',
  EAI_AGAIN: 'transient',
  ECONNREFUSED: 'transient',
  EPIPE: 'transient',
  ENETUNREACH: 'transient',
  EHOSTUNREACH: 'transient',
  UND_ERR_SOCKET: 'transient',
  UND_ERR_CONNECT_TIMEOUT: 'transient',
  ENOTREADY: 'dependency',
  EACCES: 'configuration',
  EPERM: 'configuration',
  ENOENT: 'configuration',
  ERR_INVALID_URL: 'configuration',
  ERR_ASSERTION: 'logic',
};

// Before the name rules: undici's fetch throws `TypeError: fetch failed` with the socket
// error as its cause, and that must be transient, not a logic error.
const codes: BuiltinRule = (error) => {
  for (const { code, depth } of chainCodes(error)) {
    const c = Object.hasOwn(CODE_CLASSES, code) ? CODE_CLASSES[code] : undefined;
    if (c) return verdict(c, depth === 0 ? `code ${code}` : `cause code ${code}`);
  }
  return undefined;
};

const NETWORK_MESSAGE = /socket hang up|network error|fetch failed|\b(?:ECONNRESET|ECONNREFUSED|EAI_AGAIN|EPIPE|ENETUNREACH|EHOSTUNREACH)\b/i;

const networkMessage: BuiltinRule = (error) => {
  const m = NETWORK_MESSAGE.exec(errorMessage(error));
  return m ? verdict('transient', `message "${m[0]}"`) : undefined;
};

const TIMED_OUT = /timed? ?out/i;

// A bare AbortError says nothing about why; only its reason makes it a timeout or a cancel.
const timeoutName: BuiltinRule = (error, _now, context) => {
  if (errorNames(error).includes('TimeoutError')) return verdict('timeout', 'name TimeoutError');
  return classifyAbort(error, context);
};

const AUTH_NAMES = new Set(['AuthenticationError', 'PermissionDeniedError']);

const NAME_CLASSES: Readonly<Record<string, ErrorClass>> = {
  AuthenticationError: 'configuration',
  PermissionDeniedError: 'configuration',
  NotFoundError: 'configuration',
  // The SDKs' timeout subclass first: it extends their connection error.
  APIConnectionTimeoutError: 'timeout',
  // openai's and Anthropic's connection error; its cause (when there is one) is matched by code first.
  APIConnectionError: 'transient',
  ZodError: 'validation',
  // zod 4 core and zod/mini.
  $ZodError: 'validation',
  ValidationError: 'validation',
  BadRequestError: 'validation',
  UnprocessableEntityError: 'validation',
  TypeError: 'logic',
  ReferenceError: 'logic',
  RangeError: 'logic',
  EvalError: 'logic',
  AssertionError: 'logic',
};

const names: BuiltinRule = (error) => {
  for (const name of errorNames(error)) {
    // JSON.parse throws SyntaxError on bad input data; any other SyntaxError is a code bug.
    if (name === 'SyntaxError') {
      return /JSON/.test(errorMessage(error)) ? verdict('validation', 'name SyntaxError (JSON)') : verdict('logic', 'name SyntaxError');
    }
    const c = Object.hasOwn(NAME_CLASSES, name) ? NAME_CLASSES[name] : undefined;
    if (c) return verdict(c, `name ${name}`, undefined, AUTH_NAMES.has(name) ? 'auth' : undefined);
  }
  return undefined;
};

const CREDENTIAL_MESSAGES: readonly RegExp[] = [
  /api[_ -]?key.*\b(missing|not set|not provided|invalid|incorrect)\b|\b(missing|invalid|incorrect)\b.*api[_ -]?key/i,
  // The Anthropic SDK without an API key or token.
  /could not resolve authentication method/i,
];
const ENV_MESSAGES: readonly RegExp[] = [/environment variable .* (is )?(missing|not set|required)/i, /missing (required )?environment variable/i];

const configMessage: BuiltinRule = (error) => {
  const message = errorMessage(error);
  if (CREDENTIAL_MESSAGES.some((re) => re.test(message))) return verdict('configuration', 'message (missing API key or env var)', undefined, 'auth');
  return ENV_MESSAGES.some((re) => re.test(message)) ? verdict('configuration', 'message (missing API key or env var)') : undefined;
};

const provider: BuiltinRule = (error, now) => classifyProviderError(error, now);

/** Rules that rely on a specific signal, in priority order. */
export const STRONG_RULES: readonly BuiltinRule[] = [provider, rateLimit, http, codes, networkMessage, timeoutName, names, configMessage];

/** Last resort when nothing specific matched the error or its causes. */
export const weakTimeoutMessage: BuiltinRule = (error) => (TIMED_OUT.test(errorMessage(error)) ? verdict('timeout', 'message "timed out"') : undefined);
