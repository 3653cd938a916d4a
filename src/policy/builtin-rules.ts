import type { Classification } from './classification.js';
import { isRetryableClass, type ErrorClass } from '../errors/error-class.js';
import { isLifelineError } from '../errors/lifeline-error.js';
import { chainCodes, errorCause, errorMessage, errorNames, httpStatus, ownCodes, prop } from './error-shape.js';
import { retryAfterMsOf } from './retry-after.js';

/** A built-in rule: a classification, or undefined to let the next rule look. */
export type BuiltinRule = (error: unknown, now: number) => Classification | undefined;

function verdict(errorClass: ErrorClass, reason: string, retryAfterMs?: number): Classification {
  const c: Classification = { errorClass, retryable: isRetryableClass(errorClass), reason };
  if (retryAfterMs !== undefined) c.retryAfterMs = retryAfterMs;
  return c;
}

const RATE_LIMIT_WORD = /rate[_ -]?limit|throttl/i;

const rateLimit: BuiltinRule = (error, now) => {
  let reason: string | undefined;
  if (httpStatus(error) === 429) reason = 'HTTP 429';
  const name = errorNames(error).find((n) => RATE_LIMIT_WORD.test(n));
  const code = ownCodes(error).find((c) => RATE_LIMIT_WORD.test(c));
  reason ??= name !== undefined ? `name ${name}` : code !== undefined ? `code ${code}` : undefined;
  return reason === undefined ? undefined : verdict('rate_limit', reason, retryAfterMsOf(error, now));
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
  if (status === 401 || status === 403 || status === 404) return verdict('configuration', reason);
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

function isTimeoutValue(value: unknown): boolean {
  if (value == null) return false;
  return (
    (isLifelineError(value) && value.errorClass === 'timeout') ||
    errorNames(value).includes('TimeoutError') ||
    ownCodes(value).includes('ETIMEDOUT') ||
    TIMED_OUT.test(errorMessage(value))
  );
}

const timeoutName: BuiltinRule = (error) => {
  const names = errorNames(error);
  if (names.includes('TimeoutError')) return verdict('timeout', 'name TimeoutError');
  // A bare AbortError says nothing about why; only a timeout reason makes it a timeout.
  if (names.includes('AbortError') && (isTimeoutValue(errorCause(error)) || isTimeoutValue(prop(error, 'reason')))) {
    return verdict('timeout', 'name AbortError (timeout reason)');
  }
  return undefined;
};

const NAME_CLASSES: Readonly<Record<string, ErrorClass>> = {
  AuthenticationError: 'configuration',
  PermissionDeniedError: 'configuration',
  NotFoundError: 'configuration',
  ZodError: 'validation',
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
    if (c) return verdict(c, `name ${name}`);
  }
  return undefined;
};

const CONFIG_MESSAGES: readonly RegExp[] = [
  /api[_ -]?key.*\b(missing|not set|not provided|invalid|incorrect)\b|\b(missing|invalid|incorrect)\b.*api[_ -]?key/i,
  /environment variable .* (is )?(missing|not set|required)/i,
  /missing (required )?environment variable/i,
];

const configMessage: BuiltinRule = (error) => {
  const message = errorMessage(error);
  return CONFIG_MESSAGES.some((re) => re.test(message)) ? verdict('configuration', 'message (missing API key or env var)') : undefined;
};

/** Rules that rely on a specific signal, in priority order. */
export const STRONG_RULES: readonly BuiltinRule[] = [rateLimit, http, codes, networkMessage, timeoutName, names, configMessage];

/** Last resort when nothing specific matched the error or its causes. */
export const weakTimeoutMessage: BuiltinRule = (error) => (TIMED_OUT.test(errorMessage(error)) ? verdict('timeout', 'message "timed out"') : undefined);
