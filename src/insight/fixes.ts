// Fix records (issue 10 §5): `recordFix(lifeline, fingerprint, { note, action })` stores what was
// done about a failure pattern; afterwards the pattern is resolved (no failure of that
// fingerprint since) or regressed, and the fix counts in the track record of its action.
import type { Lifeline } from '../engine/lifeline.js';
import type { FixRecord } from '../store/insight-records.js';
import { checkKnownKeys, checkObject, checkOneOf, describeValue, optionError } from '../options/option-check.js';
import type { ActionId } from './track-record.js';

export const FIX_ACTIONS: readonly ActionId[] = [
  'limits',
  'breaker',
  'timeout',
  'fallback',
  'credentials',
  'structured',
  'coverage',
  'code',
  'resume',
  'restart',
  'reassign',
  'escalate',
];

export interface FixOptions {
  /** What was done (at most 2000 characters). */
  note: string;
  /** Which recommendation action it was (default: the first suggestion for the failure's class and kind). */
  action?: ActionId;
}

function checkText(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw optionError(path, `must be a non-empty text of at most ${max} characters (got ${describeValue(value)})`);
  }
  return value;
}

/** Records a fix against a failure fingerprint (as `lifeline insight patterns` shows it). */
export async function recordFix(lifeline: Lifeline, fingerprint: string, options: FixOptions): Promise<FixRecord> {
  checkText(fingerprint, 'recordFix.fingerprint', 200);
  const o = checkObject(options, 'recordFix');
  checkKnownKeys(o, 'recordFix', ['note', 'action']);
  const note = checkText(o['note'], 'recordFix.note', 2000);
  const action = o['action'] === undefined ? null : checkOneOf(o['action'], 'recordFix.action', FIX_ACTIONS);
  const fix = await lifeline.store.addFix({ fingerprint, note, action, now: lifeline.clock.now() });
  if (fix === null) throw optionError('recordFix.fingerprint', `no failed attempt has fingerprint "${fingerprint}" (copy one from lifeline insight patterns)`);
  return fix;
}

/** Recorded fixes, newest first, each with the failures of its fingerprint since. */
export function listFixes(lifeline: Lifeline, filter: { fingerprint?: string } = {}): Promise<FixRecord[]> {
  return lifeline.store.listFixes(filter);
}
