// What the store hands insight about attempt details and step coverage (issue 10 §1, §6): the
// shapes of the Store methods of that area (store.ts, "insight: attempt details and coverage").
import type { AttemptRecord } from './types.js';

/** A failed or timed-out attempt with its run's workflow: what a fingerprint is recomputed from. */
export interface FailedAttempt extends AttemptRecord {
  workflow: string;
}

export interface FingerprintUpdate {
  /** AttemptRecord.id */
  id: number;
  fingerprint: string;
  fingerprintVersion: number;
}

export interface StepCoverageArgs {
  /** Steps completed in [since, until). */
  since: number;
  until: number;
  workflow?: string;
}

/** What the committed step records of one workflow's step ran with (StepRecord.ranWith), counted. */
export interface StepCoverageRow {
  workflow: string;
  step: string;
  /** Step records with coverage flags in the window. */
  steps: number;
  withTimeout: number;
  withRetries: number;
  sideEffects: number;
  /** Side effects whose committed attempt read info.idempotencyKey. */
  sideEffectsKeyRead: number;
}
