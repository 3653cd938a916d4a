// structuredStep / structuredBody options: checked before anything runs, with errors naming the
// field and the bound (`Invalid option structured step "extract".maxReasks: must be an integer from 0 to 20 (got -1)`).
import { resolveRetryPolicy, type RetryOptions } from '../policy/retry-policy.js';
import { checkFunction, checkHasMethods, checkNumber, checkOptions, checkString, optionError } from '../options/option-check.js';
import { duration } from '../options/public-options.js';

/** Re-asks after the first try, unless `maxReasks` says otherwise. */
export const DEFAULT_MAX_REASKS = 2;
export const MAX_REASKS = { min: 0, max: 20, integer: true };

/** Checks the options (a step's take `retry` and `timeout` too); returns the re-ask count. `where` names the call, e.g. `structured step "extract"`. */
export function checkStructuredOptions(options: unknown, where: string, step: boolean): { maxReasks: number } {
  if (options === undefined || options === null) throw optionError(where, `must be an object with schema and generate (got ${String(options)})`);
  const o = checkOptions(options, where, {
    schema: (v, p) => checkHasMethods(v, p, ['safeParse'], 'a zod schema'),
    generate: checkFunction,
    maxReasks: (v, p) => void checkNumber(v, p, MAX_REASKS),
    model: (v, p) => void checkString(v, p, 200),
    ...(step ? { retry: (v: unknown, p: string) => void resolveRetryPolicy(v as RetryOptions, undefined, p), timeout: duration } : {}),
  });
  if (o.schema === undefined) throw optionError(`${where}.schema`, 'is required: the zod schema the answer must match (got undefined)');
  if (o.generate === undefined) throw optionError(`${where}.generate`, 'is required: the function that asks the model (got undefined)');
  return { maxReasks: (o.maxReasks as number | undefined) ?? DEFAULT_MAX_REASKS };
}
