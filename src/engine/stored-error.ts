import { classifyError, type Classification, type ClassifierRule } from '../policy/index.js';
import { redactSecrets } from '../errors/redact.js';
import type { ErrorClass } from '../errors/error-class.js';
import { LifelineError } from '../errors/lifeline-error.js';
import type { StoredError } from '../store/types.js';

/**
 * The only way an error reaches storage: message and stack are redacted here, once, so no
 * caller can forget to. Stacks are cut to a few frames; they are for humans, not replay.
 */
export function toStoredError(
  error: unknown,
  extra: {
    errorClass?: ErrorClass;
    /** The classification already made (its kind and reset time are kept); else the error is classified here. */
    classification?: Pick<Classification, 'errorClass' | 'kind' | 'resetAt'>;
    stepId?: string;
    attempts?: number;
    classifiers?: readonly ClassifierRule[];
  } = {},
): StoredError {
  const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : safeString(error));
  const c = extra.classification ?? (extra.errorClass === undefined ? classifyError(err, extra.classifiers) : undefined);
  const errorClass = extra.errorClass ?? c?.errorClass ?? 'unknown';
  const stored: StoredError = {
    name: storableText(String(err.name)),
    message: redactMessage(err.message),
    errorClass,
  };
  // Into the error's JSON, not a column of its own: the store contract stays as it was.
  if (c?.kind !== undefined) stored.kind = storableKind(c.kind);
  if (c?.resetAt !== undefined) stored.resetAt = c.resetAt;
  if (extra.stepId !== undefined) stored.stepId = extra.stepId;
  if (extra.attempts !== undefined) stored.attempts = extra.attempts;
  if (err.stack && !(err instanceof LifelineError)) stored.stack = storableText(redactSecrets(err.stack.split('\n').slice(0, 8).join('\n')));
  return stored;
}

/** A kind is free text when a user rule sets it: bounded and redacted like a message. */
export function storableKind(kind: string): string {
  return redactMessage(kind.slice(0, 100));
}

/** Longest message kept: error texts can be huge (a whole HTTP body) and are attacker-influenced. */
export const MAX_STORED_MESSAGE_CHARS = 4000;

export function redactMessage(message: string): string {
  const cut =
    message.length > MAX_STORED_MESSAGE_CHARS
      ? `${message.slice(0, MAX_STORED_MESSAGE_CHARS)}… [${message.length - MAX_STORED_MESSAGE_CHARS} more chars]`
      : message;
  return storableText(redactSecrets(cut));
}

/**
 * Error texts are diagnostics, not data: a character no database can keep in text is replaced
 * rather than refused. U+0000 (PostgreSQL text cannot hold it; it would fail the write that
 * records the error, again on every retry) becomes U+2400 "␀", visible and unambiguous.
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\u2400') : text;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
