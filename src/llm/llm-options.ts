// llmStep's options, checked before anything runs or is written, with errors naming the field
// (`Invalid option llmStep "answer".models[1].maxOutputTokens: must be an integer from 1 to ...`).
import { checkArray, checkFunction, checkNumber, checkOptions, checkString, describeValue, optionError } from '../options/option-check.js';
import { classifiers, duration } from '../options/public-options.js';
import { resolveRetryPolicy, type RetryOptions } from '../policy/retry-policy.js';
import { errorClassesOption } from '../policy/values/error-classes-option.js';

const MAX_TOKENS = 1_000_000_000;
const tokens = (min: number) => (v: unknown, p: string) => void checkNumber(v, p, { min, max: MAX_TOKENS, integer: true });

export function checkLlmStep(name: unknown, options: unknown): void {
  const where = `llmStep "${String(name)}"`;
  if (options === undefined) throw optionError(where, 'must be an object with models and request (got undefined)');
  const o = checkOptions(options, where, {
    models: () => {},
    request: () => {},
    estimatedInputTokens: tokens(0),
    on: (v, p) => void errorClassesOption(v, p),
    classifiers,
    parse: checkFunction,
  });
  if (!('request' in o)) throw optionError(`${where}.request`, 'is required (got undefined)');
  const models = checkArray(o['models'], `${where}.models`);
  if (models.length === 0) throw optionError(`${where}.models`, 'must name at least one model (got [])');
  const seen = new Map<string, number>();
  models.forEach((m, i) => {
    const path = `${where}.models[${i}]`;
    const entry = checkOptions(m ?? null, path, {
      model: () => {},
      provider: () => {},
      call: () => {},
      retry: (v, p) => void resolveRetryPolicy(v as RetryOptions, undefined, p),
      timeout: duration,
      maxOutputTokens: tokens(1),
      contextWindow: tokens(1),
      breaker: (v, p) => void checkString(v, p, 200),
    });
    const model = checkString(entry['model'], `${path}.model`, 200);
    checkString(entry['provider'], `${path}.provider`, 100);
    checkFunction(entry['call'], `${path}.call`);
    const first = seen.get(model);
    if (first !== undefined) throw optionError(`${path}.model`, `duplicates models[${first}].model: models must be unique (got ${describeValue(model)})`);
    seen.set(model, i);
  });
}
