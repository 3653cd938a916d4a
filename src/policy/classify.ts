import { STRONG_RULES, weakTimeoutMessage } from './builtin-rules.js';
import type { Classification, ClassifierRule } from './classification.js';
import { isErrorClass, isRetryableClass } from '../errors/error-class.js';
import { isLifelineError } from '../errors/lifeline-error.js';
import { errorCause, MAX_CAUSE_DEPTH, prop, retryWrapped } from './error-shape.js';
import type { ClassifyContext } from './abort.js';

export type { Classification, ClassifierRule } from './classification.js';
export type { ClassifyContext } from './abort.js';

/**
 * Decides how a failure is treated. Order: the class a Lifeline error carries (ClassifiedError
 * included), then the user's rules (first non-null wins), then the built-in rules; if none match, the same is tried on
 * `cause` (a few levels), then a "timed out" message, and finally `unknown` (retried). A retry
 * wrapper (the AI SDK's RetryError) is looked through to the last error it gave up on.
 * Never throws: a classifier that crashes would turn one failure into a stuck run.
 */
export function classifyError(error: unknown, rules: readonly ClassifierRule[] = [], now: number = Date.now(), context: ClassifyContext = {}): Classification {
  try {
    return classifyChain(error, rules, now, context) ?? weakTimeoutMessage(error, now, context) ?? unknown('no rule matched');
  } catch {
    return unknown('classification failed');
  }
}

function unknown(reason: string): Classification {
  return { errorClass: 'unknown', retryable: true, reason };
}

function classifyChain(error: unknown, rules: readonly ClassifierRule[], now: number, context: ClassifyContext): Classification | undefined {
  let current = error;
  let via = '';
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current != null; depth++) {
    const wrapped = retryWrapped(current);
    if (wrapped !== undefined) {
      current = wrapped;
      via = `${via}last error: `;
      continue;
    }
    const found = classifyOne(current, rules, now, context);
    if (found) return via === '' ? found : { ...found, reason: `${via}${found.reason}` };
    current = errorCause(current);
    via = `${via}cause: `;
  }
  return undefined;
}

function classifyOne(error: unknown, rules: readonly ClassifierRule[], now: number, context: ClassifyContext): Classification | undefined {
  const own = fromLifelineError(error);
  if (own) return own;
  for (const [i, rule] of rules.entries()) {
    const found = fromUserRule(rule, i, error);
    if (found) return found;
  }
  for (const rule of STRONG_RULES) {
    const found = rule(error, now, context);
    if (found) return found;
  }
  return undefined;
}

// Every Lifeline error carries its class (the one mapping, on the error itself). Read through
// the brand, not instanceof, so an error from a second copy of the package is honoured too.
function fromLifelineError(error: unknown): Classification | undefined {
  if (!isLifelineError(error)) return undefined;
  const errorClass = prop(error, 'errorClass');
  if (!isErrorClass(errorClass)) return undefined;
  const code = prop(error, 'code');
  const nonRetryable = prop(error, 'nonRetryable');
  const c: Classification = {
    errorClass,
    retryable: typeof nonRetryable === 'boolean' ? !nonRetryable : isRetryableClass(errorClass),
    reason: code === 'CLASSIFIED' ? 'ClassifiedError' : `code ${String(code)}`,
  };
  const after = validDelay(prop(error, 'retryAfterMs'));
  if (after !== undefined) c.retryAfterMs = after;
  copyKind(error, c);
  return c;
}

/** `kind` and `resetAt` from a user rule's result or a ClassifiedError, when well-formed. */
function copyKind(from: unknown, to: Classification): void {
  const kind = prop(from, 'kind');
  if (typeof kind === 'string' && kind !== '') to.kind = kind;
  const resetAt = prop(from, 'resetAt');
  if (typeof resetAt === 'number' && Number.isFinite(resetAt)) to.resetAt = resetAt;
}

function fromUserRule(rule: ClassifierRule, index: number, error: unknown): Classification | undefined {
  let result: unknown;
  try {
    result = rule(error);
  } catch {
    // A buggy rule must not hide the original failure; skip it and let later rules decide.
    return undefined;
  }
  const label = rule.name ? `rule ${rule.name}` : `rule #${index + 1}`;
  if (isErrorClass(result)) return { errorClass: result, retryable: isRetryableClass(result), reason: label };
  const errorClass = prop(result, 'errorClass');
  if (!isErrorClass(errorClass)) return undefined;
  const retryable = prop(result, 'retryable');
  const reason = prop(result, 'reason');
  const c: Classification = {
    errorClass,
    retryable: typeof retryable === 'boolean' ? retryable : isRetryableClass(errorClass),
    reason: typeof reason === 'string' && reason !== '' ? reason : label,
  };
  const after = validDelay(prop(result, 'retryAfterMs'));
  if (after !== undefined) c.retryAfterMs = after;
  copyKind(result, c);
  return c;
}

function validDelay(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
