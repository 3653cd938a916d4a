import { classifyError, redactSecrets, type ClassifierRule } from '../policy/index.js';
import { LifelineError } from '../errors/lifeline-error.js';
import { NonDeterminismError, StepFailedError } from '../errors/workflow-errors.js';
import type { StoredError } from '../store/types.js';

/**
 * The only way an error reaches storage: message and stack are redacted here, once, so no
 * caller can forget to. Stacks are cut to a few frames; they are for humans, not replay.
 */
export function toStoredError(
  error: unknown,
  extra: { errorClass?: string; stepId?: string; attempts?: number; classifiers?: readonly ClassifierRule[] } = {},
): StoredError {
  const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : safeString(error));
  const errorClass = extra.errorClass ?? classOf(err, extra.classifiers);
  const stored: StoredError = {
    name: err.name,
    message: redactSecrets(err.message),
    errorClass,
  };
  if (extra.stepId !== undefined) stored.stepId = extra.stepId;
  if (extra.attempts !== undefined) stored.attempts = extra.attempts;
  if (err.stack && !(err instanceof LifelineError)) stored.stack = redactSecrets(err.stack.split('\n').slice(0, 8).join('\n'));
  return stored;
}

function classOf(err: Error, classifiers: readonly ClassifierRule[] | undefined): string {
  if (err instanceof StepFailedError) return err.errorClass;
  if (err instanceof NonDeterminismError) return 'logic';
  return classifyError(err, classifiers).errorClass;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
