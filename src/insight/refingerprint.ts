// Recomputing fingerprints from what attempt rows store (issue 10 §1): the migration that added
// them fills existing failures, and `lifeline insight refingerprint` regroups every failure under
// the current algorithm version and rules, in batches, explicitly: rows otherwise keep the
// version that computed them.
import type { Store } from '../store/store.js';
import type { FailedAttempt, FingerprintUpdate } from '../store/attempt-insight.js';
import { computeFingerprint, FINGERPRINT_VERSION } from './fingerprint.js';
import type { FingerprintRule } from './fingerprint-rules.js';

/** What a stored attempt row gives a fingerprint (the frame is the `frame` tag the engine set). */
export interface StoredFailure {
  errorClass: string | null;
  errorKind: string | null;
  errorName: string | null;
  errorMessage: string | null;
  stepName: string;
  workflow: string;
  tags: Record<string, string> | null;
}

export function fingerprintOfStored(row: StoredFailure, rules: readonly FingerprintRule[] = []): { fingerprint: string; version: number } {
  const tags = row.tags ?? {};
  return computeFingerprint(
    {
      errorClass: row.errorClass ?? 'unknown',
      errorKind: row.errorKind,
      errorName: row.errorName,
      message: row.errorMessage ?? '',
      step: row.stepName,
      workflow: row.workflow,
      provider: tags['provider'] ?? null,
      model: tags['model'] ?? null,
      frame: tags['frame'] ?? null,
    },
    rules,
  );
}

/** The stored failure of a row written before migration 9: no name, kind or tags were recorded. */
export function preMigrationFailure(row: { error_class: string | null; error_message: string | null; step_name: string; workflow: string }): StoredFailure {
  return {
    errorClass: row.error_class,
    errorKind: null,
    errorName: null,
    errorMessage: row.error_message,
    stepName: row.step_name,
    workflow: row.workflow,
    tags: null,
  };
}

export const REFINGERPRINT_BATCH = 1000;

export interface RefingerprintResult {
  /** Failed attempts read. */
  scanned: number;
  /** Whose fingerprint or version changes (written unless dryRun). */
  changed: number;
  /** Of the changed ones, those computed by an older version (or none). */
  olderVersion: number;
  version: number;
  dryRun: boolean;
}

/** Recomputes every failed attempt's fingerprint with the current version and `rules`, `batchSize` at a time. */
export async function refingerprint(
  store: Store,
  options: { rules?: readonly FingerprintRule[]; dryRun?: boolean; batchSize?: number } = {},
): Promise<RefingerprintResult> {
  const rules = options.rules ?? [];
  const limit = options.batchSize ?? REFINGERPRINT_BATCH;
  const result: RefingerprintResult = { scanned: 0, changed: 0, olderVersion: 0, version: FINGERPRINT_VERSION, dryRun: options.dryRun === true };
  for (let afterId = 0; ;) {
    const batch: FailedAttempt[] = await store.listFailedAttempts({ afterId, limit });
    if (batch.length === 0) return result;
    const updates: FingerprintUpdate[] = [];
    for (const a of batch) {
      const { fingerprint, version } = fingerprintOfStored(a, rules);
      if (a.fingerprint === fingerprint && a.fingerprintVersion === version) continue;
      updates.push({ id: a.id, fingerprint, fingerprintVersion: version });
      if (a.fingerprintVersion === null || a.fingerprintVersion < version) result.olderVersion++;
    }
    result.scanned += batch.length;
    result.changed += updates.length;
    if (!result.dryRun) await store.setFingerprints(updates);
    afterId = (batch[batch.length - 1] as FailedAttempt).id;
  }
}
