// User rules over fingerprints (Lifeline.open `insight.fingerprintRules`): a rule whose `match`
// fits a failure either puts it in a named group (merging what the algorithm keeps apart, e.g.
// every "connection reset" of any step) or splits its group further. The first matching rule
// applies. Validated up front; a bad rule names its index and field.
import { ERROR_CLASSES, type ErrorClass } from '../errors/error-class.js';
import { checkKnownKeys, checkObject, checkOneOf, describeValue, optionError } from '../options/option-check.js';

/** How a rule splits a group: by the exact (redacted) message, or by workflow. */
export type FingerprintSplit = 'by-message' | 'by-workflow';
export const FINGERPRINT_SPLITS: readonly FingerprintSplit[] = ['by-message', 'by-workflow'];

export interface FingerprintMatch {
  /** The failure's class, or one of these. */
  errorClass?: ErrorClass | readonly ErrorClass[];
  /** Tested against the (redacted, not normalized) message. */
  message?: RegExp;
  /** The step's name, exactly. */
  step?: string;
}

export type FingerprintRule = { match: FingerprintMatch; group: string } | { match: FingerprintMatch; split: FingerprintSplit };

export const MAX_FINGERPRINT_RULES = 100;
export const MAX_GROUP_NAME_CHARS = 100;

/** What a rule sees of a failure. */
export interface RuleSubject {
  errorClass: string;
  message: string;
  step: string;
}

/** The first rule that fits, or undefined. */
export function matchRule(rules: readonly FingerprintRule[], s: RuleSubject): FingerprintRule | undefined {
  return rules.find(({ match: m }) => {
    if (m.errorClass !== undefined && !(typeof m.errorClass === 'string' ? m.errorClass === s.errorClass : m.errorClass.includes(s.errorClass as ErrorClass)))
      return false;
    if (m.step !== undefined && m.step !== s.step) return false;
    if (m.message !== undefined) {
      m.message.lastIndex = 0; // a /g or /y pattern keeps state between tests
      if (!m.message.test(s.message)) return false;
    }
    return true;
  });
}

/** Checks `insight.fingerprintRules`; throws InvalidOptionsError naming the rule and field. */
export function checkFingerprintRules(value: unknown, path = 'insight.fingerprintRules'): readonly FingerprintRule[] {
  if (!Array.isArray(value)) throw optionError(path, `must be an array of rules (got ${describeValue(value)})`);
  if (value.length > MAX_FINGERPRINT_RULES) throw optionError(path, `must have at most ${MAX_FINGERPRINT_RULES} rules (got ${value.length})`);
  value.forEach((rule: unknown, i) => {
    const where = `${path}[${i}]`;
    const r = checkObject(rule, where);
    checkKnownKeys(r, where, ['match', 'group', 'split']);
    const m = checkObject(r['match'], `${where}.match`);
    checkKnownKeys(m, `${where}.match`, ['errorClass', 'message', 'step']);
    if (m['errorClass'] === undefined && m['message'] === undefined && m['step'] === undefined) {
      throw optionError(`${where}.match`, 'must name at least one of errorClass, message, step');
    }
    const classes = m['errorClass'];
    if (classes !== undefined) {
      if (Array.isArray(classes)) classes.forEach((c: unknown, j) => checkOneOf(c, `${where}.match.errorClass[${j}]`, ERROR_CLASSES));
      else checkOneOf(classes, `${where}.match.errorClass`, ERROR_CLASSES);
    }
    if (m['message'] !== undefined && !(m['message'] instanceof RegExp)) {
      throw optionError(`${where}.match.message`, `must be a RegExp (got ${describeValue(m['message'])})`);
    }
    if (m['step'] !== undefined && (typeof m['step'] !== 'string' || m['step'] === '')) {
      throw optionError(`${where}.match.step`, `must be a non-empty step name (got ${describeValue(m['step'])})`);
    }
    if ((r['group'] === undefined) === (r['split'] === undefined)) throw optionError(where, 'must have exactly one of group or split');
    if (r['group'] !== undefined) {
      const g = r['group'];
      if (typeof g !== 'string' || g.trim() === '' || g.length > MAX_GROUP_NAME_CHARS) {
        throw optionError(`${where}.group`, `must be a non-empty name of at most ${MAX_GROUP_NAME_CHARS} characters (got ${describeValue(g)})`);
      }
    } else checkOneOf(r['split'], `${where}.split`, FINGERPRINT_SPLITS);
  });
  return value as FingerprintRule[];
}
