// Option pieces more than one policy takes: the clock and the classifier rules.
import { checkArray, checkFunction, checkHasMethods } from '../../options/option-check.js';
import { systemClock, type Clock } from '../../time/clock.js';
import type { ClassifierRule } from '../classification.js';

export function clockOption(value: unknown, path: string): Clock {
  if (value === undefined) return systemClock;
  checkHasMethods(value, path, ['now', 'sleep', 'setTimer'], 'a Clock');
  return value as Clock;
}

export function rulesOption(value: unknown, path: string): readonly ClassifierRule[] {
  if (value === undefined) return [];
  const rules = checkArray(value, path);
  rules.forEach((rule, i) => checkFunction(rule, `${path}[${i}]`));
  return rules as ClassifierRule[];
}
