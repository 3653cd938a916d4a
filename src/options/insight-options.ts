// The insight options: a step's `tags` (ctx.step options) and Lifeline.open `insight`
// (fingerprint rules), checked up front with errors naming the field and the bound.
import { checkFingerprintRules, type FingerprintRule } from '../insight/fingerprint-rules.js';
import { checkKnownKeys, checkObject, describeValue, optionError } from './option-check.js';

export const MAX_TAGS = 20;
export const MAX_TAG_KEY_CHARS = 64;
export const MAX_TAG_VALUE_CHARS = 200;
/** Set by Lifeline itself: the top user stack frame of a failure (src/insight/stack-frame.ts). */
export const RESERVED_TAG_KEYS: readonly string[] = ['frame'];

export interface InsightOptions {
  /** Rules that merge or split fingerprint groups (src/insight/fingerprint-rules.ts); the first match applies. */
  fingerprintRules?: readonly FingerprintRule[];
}

/** Checks a tags object: string keys and values, bounded in count and length. */
export function checkTags(value: unknown, path: string): Record<string, string> {
  const tags = checkObject(value, path);
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw optionError(path, `must have at most ${MAX_TAGS} tags (got ${keys.length})`);
  for (const key of keys) {
    if (key === '' || key.length > MAX_TAG_KEY_CHARS)
      throw optionError(path, `tag names must be 1 to ${MAX_TAG_KEY_CHARS} characters (got ${describeValue(key)})`);
    if (RESERVED_TAG_KEYS.includes(key)) throw optionError(`${path}.${key}`, `is set by Lifeline (reserved: ${RESERVED_TAG_KEYS.join(', ')})`);
    const v = tags[key];
    if (typeof v !== 'string' || v.length > MAX_TAG_VALUE_CHARS) {
      throw optionError(`${path}.${key}`, `must be a string of at most ${MAX_TAG_VALUE_CHARS} characters (got ${describeValue(v)})`);
    }
  }
  return tags as Record<string, string>;
}

/** Lifeline.open `insight`. */
export function checkInsightOptions(value: unknown, path: string): { fingerprintRules: readonly FingerprintRule[] } {
  const o = checkObject(value, path);
  checkKnownKeys(o, path, ['fingerprintRules']);
  return { fingerprintRules: o['fingerprintRules'] === undefined ? [] : checkFingerprintRules(o['fingerprintRules'], `${path}.fingerprintRules`) };
}
