// A missing input: a step that failed, a DAG node skipped, a value never produced. The
// degradation assembler treats it as absent and reports why. Plain data (`{ $missing: reason }`),
// so it can be a step's result or a run's output like any other value.
import { LifelineError } from '../errors/lifeline-error.js';
import { NonDeterminismError, StepAfterCompletionError } from '../errors/workflow-errors.js';

export interface Missing {
  readonly $missing: string;
}

export function missing(reason: string): Missing {
  return { $missing: reason };
}

export function isMissing(value: unknown): value is Missing {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$missing' && typeof (value as Missing).$missing === 'string';
}

/** Why `error` made an input missing, in one line: `[class] message` for Lifeline errors. */
export function reasonOf(error: unknown): string {
  if (error instanceof LifelineError) return `[${error.errorClass}] ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The step's value, or a Missing with the reason it failed (ctx.step rejects only once its retries are spent). */
export async function settle<T>(promise: Promise<T>): Promise<T | Missing> {
  try {
    return await promise;
  } catch (error) {
    // A broken workflow is not a missing input.
    if (error instanceof NonDeterminismError || error instanceof StepAfterCompletionError) throw error;
    return missing(reasonOf(error));
  }
}

/** settle() for a record of step promises: `{ sales: ctx.step(...), costs: ctx.step(...) }`. */
export async function settleAll<R extends Record<string, Promise<unknown>>>(promises: R): Promise<{ [K in keyof R]: Awaited<R[K]> | Missing }> {
  const keys = Object.keys(promises);
  const values = await Promise.all(keys.map((k) => settle(promises[k]!)));
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as { [K in keyof R]: Awaited<R[K]> | Missing };
}
