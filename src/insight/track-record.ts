// What worked before (issue 10 §5): evidence from recorded fixes, recovery decisions and fallback
// chains, each an action tried against a failure of some shape and whether it worked, and the
// track record of an action for a pattern from the evidence about similar failures. Pure.
import type { ErrorClass } from '../errors/error-class.js';
import type { FixRecord } from '../store/insight-records.js';
import type { RecoveryRecord } from '../store/recoveries.js';
import type { AttemptRecord } from '../store/types.js';

/** What a recommendation proposes; recovery strategies and fallbacks are actions too. */
export type ActionId =
  'limits' | 'breaker' | 'timeout' | 'fallback' | 'credentials' | 'structured' | 'coverage' | 'code' | 'resume' | 'restart' | 'reassign' | 'escalate';

/** The failure an action was tried against. */
export interface FailureShape {
  fingerprint: string | null;
  errorClass: ErrorClass;
  errorKind: string | null;
  /** The step's name (not its id: `fetch`, not `fetch#0`). */
  stepName: string | null;
}

export interface Evidence {
  action: ActionId;
  shape: FailureShape;
  worked: boolean;
  source: 'fix' | 'recovery' | 'fallback';
}

/** How an action fared on similar failures: `same step` (same fingerprint, or same class, kind and step) or `same class` (class and kind, any step). */
export interface TrackRecord {
  worked: number;
  tried: number;
  scope: 'same step' | 'same class';
  sources: Array<Evidence['source']>;
}

const stepName = (stepId: string | null) => (stepId === null ? null : stepId.replace(/#\d+$/, ''));

/** A fix worked when its fingerprint failed no more after it was recorded. */
export function evidenceFromFixes(fixes: readonly FixRecord[], defaultAction: (shape: FailureShape) => ActionId): Evidence[] {
  return fixes.map((f) => {
    const shape = { fingerprint: f.fingerprint, errorClass: f.errorClass, errorKind: f.errorKind, stepName: f.stepName };
    return { action: (f.action as ActionId | null) ?? defaultAction(shape), shape, worked: f.failuresAfter === 0, source: 'fix' as const };
  });
}

/** A recovery decision worked when its run recovered; still open ones say nothing yet. */
export function evidenceFromRecoveries(records: readonly RecoveryRecord[]): Evidence[] {
  return records
    .filter((r) => r.outcome !== 'open' && r.outcome !== 'cancelled')
    .map((r) => ({
      action: r.strategy,
      shape: { fingerprint: null, errorClass: r.errorClass, errorKind: null, stepName: stepName(r.stepId) },
      worked: r.outcome === 'recovered',
      source: 'recovery' as const,
    }));
}

/**
 * A fallback chain's hop: an alternative the chain left (`movedOn`) after a failure; it worked
 * when a later alternative of the same step succeeded. Attempts of any runs, in any order.
 */
export function evidenceFromFallbacks(attempts: readonly AttemptRecord[]): Evidence[] {
  const bySteps = new Map<string, AttemptRecord[]>();
  for (const a of attempts) {
    if (a.alternative === null) continue;
    const key = `${a.runId}\u0000${a.stepId}`;
    bySteps.set(key, [...(bySteps.get(key) ?? []), a]);
  }
  const out: Evidence[] = [];
  for (const list of bySteps.values()) {
    list.sort((a, b) => a.attempt - b.attempt);
    for (const hop of list.filter((a) => a.movedOn !== null && a.outcome !== 'succeeded' && a.outcome !== 'running')) {
      const later = list.filter((a) => a.attempt > hop.attempt);
      if (later.some((a) => a.outcome === 'running')) continue; // still going: no verdict yet
      out.push({
        action: 'fallback',
        shape: { fingerprint: hop.fingerprint, errorClass: hop.errorClass ?? 'unknown', errorKind: hop.errorKind, stepName: hop.stepName },
        worked: later.some((a) => a.outcome === 'succeeded'),
        source: 'fallback',
      });
    }
  }
  return out;
}

function sameStep(a: FailureShape, b: FailureShape): boolean {
  if (a.fingerprint !== null && a.fingerprint === b.fingerprint) return true;
  return a.errorClass === b.errorClass && a.errorKind === b.errorKind && a.stepName !== null && a.stepName === b.stepName;
}

const sameClass = (a: FailureShape, b: FailureShape) => a.errorClass === b.errorClass && a.errorKind === b.errorKind;

/** The action's record on failures like `shape`: from the same step when there is any, else from the same class and kind. */
export function trackRecord(action: ActionId, shape: FailureShape, evidence: readonly Evidence[]): TrackRecord | null {
  const mine = evidence.filter((e) => e.action === action);
  for (const [scope, match] of [
    ['same step', sameStep],
    ['same class', sameClass],
  ] as const) {
    const hits = mine.filter((e) => match(shape, e.shape));
    if (hits.length > 0) {
      return { worked: hits.filter((e) => e.worked).length, tried: hits.length, scope, sources: [...new Set(hits.map((e) => e.source))].sort() };
    }
  }
  return null;
}

/** "worked 14 of 16 times (same step; fixes, recoveries)". */
export function describeRecord(record: TrackRecord): string {
  const names = { fix: 'fixes', recovery: 'recovery decisions', fallback: 'fallback chains' };
  return `worked ${record.worked} of ${record.tried} time${record.tried === 1 ? '' : 's'} (${record.scope}; ${record.sources.map((s) => names[s]).join(', ')})`;
}
