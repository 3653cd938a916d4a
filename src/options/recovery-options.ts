// defineWorkflow's `recovery` rules (workflow/recovery-rules.ts), checked up front: every problem
// names the field (`workflow "w".recovery[1].max`) and the bound.
import { ERROR_CLASSES } from '../errors/error-class.js';
import { RECOVERY_STRATEGIES } from '../store/recoveries.js';
import { toMs, type Duration } from '../workflow/duration.js';
import { checkArray, checkKnownKeys, checkNumber, checkObject, checkOneOf, checkString, optionError } from './option-check.js';

const FIELDS: Readonly<Record<string, readonly string[]>> = {
  resume: ['on', 'strategy', 'max', 'reason', 'delay'],
  restart: ['on', 'strategy', 'max', 'reason'],
  reassign: ['on', 'strategy', 'max', 'reason', 'workflow'],
  escalate: ['on', 'strategy', 'max', 'reason'],
};

/** An error class, a non-empty list of them, or '*'. */
export function checkErrorClasses(value: unknown, path: string): void {
  if (value === '*') return;
  if (typeof value === 'string') {
    checkOneOf(value, path, ERROR_CLASSES);
    return;
  }
  const list = checkArray(value, path);
  if (list.length === 0) throw optionError(path, 'must name at least one error class (got [])');
  list.forEach((c, i) => checkOneOf(c, `${path}[${i}]`, ERROR_CLASSES));
}

export function checkRecoveryRules(rules: unknown, path: string): void {
  checkArray(rules, path).forEach((value, i) => {
    const at = `${path}[${i}]`;
    const rule = checkObject(value, at);
    const strategy = checkOneOf(rule.strategy, `${at}.strategy`, RECOVERY_STRATEGIES);
    checkKnownKeys(rule, at, FIELDS[strategy] ?? []);
    if (rule.on === undefined) throw optionError(`${at}.on`, `is required: an error class, a list of them, or "*"`);
    checkErrorClasses(rule.on, `${at}.on`);
    if (rule.max !== undefined) checkNumber(rule.max, `${at}.max`, { min: 1, max: 1000, integer: true });
    if (rule.reason !== undefined) checkString(rule.reason, `${at}.reason`, 500);
    if (rule.delay !== undefined) toMs(rule.delay as Duration, `${at}.delay`);
    if (strategy === 'reassign') checkString(rule.workflow, `${at}.workflow`, 128);
  });
}
