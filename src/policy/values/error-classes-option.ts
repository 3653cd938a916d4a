import { ERROR_CLASSES, isErrorClass, type ErrorClass } from '../../errors/error-class.js';
import { checkArray, describeValue, optionError } from '../../options/option-check.js';

/** A non-empty list of known error classes (e.g. a fallback's `on`). */
export function errorClassesOption(value: unknown, path: string): ReadonlySet<ErrorClass> {
  const list = checkArray(value, path);
  if (list.length === 0) throw optionError(path, 'must name at least one error class (got [])');
  list.forEach((c, i) => {
    if (!isErrorClass(c)) throw optionError(`${path}[${i}]`, `unknown error class (known: ${ERROR_CLASSES.join(', ')}) (got ${describeValue(c)})`);
  });
  return new Set(list as ErrorClass[]);
}
