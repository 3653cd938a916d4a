// ctx.fallback(name, alternatives, options): checked before anything runs or is written, with
// errors naming the field (`Invalid option fallback "summarize".alternatives[1].name: ...`).
import type { ErrorClass } from '../errors/error-class.js';
import { resolveRetryPolicy, type RetryOptions } from '../policy/retry-policy.js';
import { errorClassesOption } from '../policy/values/error-classes-option.js';
import { checkArray, checkFunction, checkOptions, checkString, describeValue, optionError } from './option-check.js';
import { checkStepName, classifiers, duration, policy } from './public-options.js';

/** The classes that move a chain on when `on` is not given (transient only after the alternative's retries). */
export const DEFAULT_FALLBACK_ON: readonly ErrorClass[] = Object.freeze(['timeout', 'rate_limit', 'dependency', 'transient'] as const);

/** What moves a checked chain on: classes (after the alternative's retries for transient), and kinds at once. */
export interface ChainMoves {
  on: ReadonlySet<ErrorClass>;
  onKinds: ReadonlySet<string>;
}

/** Checks the call; returns what moves the chain on. */
export function checkFallbackCall(workflow: string, name: unknown, alternatives: unknown, options: unknown): ChainMoves {
  checkStepName(workflow, name);
  const where = `fallback "${name}"`;
  const list = checkArray(alternatives, `${where}.alternatives`);
  if (list.length === 0) throw optionError(`${where}.alternatives`, 'must name at least one alternative (got [])');
  const seen = new Map<string, number>();
  list.forEach((alternative, i) => {
    const path = `${where}.alternatives[${i}]`;
    if (alternative === undefined) throw optionError(path, 'must be an object (got undefined)');
    const o = checkOptions(alternative, path, {
      name: () => {},
      run: () => {},
      retry: (v, p) => void resolveRetryPolicy(v as RetryOptions, undefined, p),
      timeout: duration,
      policy,
      breaker: (v, p) => void checkString(v, p, 200),
    });
    const altName = checkString(o.name, `${path}.name`, 200);
    checkFunction(o.run, `${path}.run`);
    const first = seen.get(altName);
    if (first !== undefined) throw optionError(`${path}.name`, `duplicates alternatives[${first}].name: names must be unique (got ${describeValue(altName)})`);
    seen.set(altName, i);
  });
  const o = checkOptions(options, where, {
    on: () => {},
    onKinds: () => {},
    classifiers,
    compensate: checkFunction,
    compensateRetry: (v, p) => void resolveRetryPolicy(v as RetryOptions, undefined, p),
  });
  const on = o.on === undefined ? new Set(DEFAULT_FALLBACK_ON) : errorClassesOption(o.on, `${where}.on`);
  const kinds = o.onKinds === undefined ? [] : checkArray(o.onKinds, `${where}.onKinds`);
  const onKinds = new Set(kinds.map((k, i) => checkString(k, `${where}.onKinds[${i}]`, 100)));
  return { on, onKinds };
}
