// Plain data records exchanged between the engine and a Store. Nothing here knows SQL.
// Times are epoch milliseconds chosen by the caller (the engine's injected clock), never
// read from the database server, so tests control time and hosts agree on one source.

import type { ErrorClass } from '../errors/error-class.js';
import type { RunEventType } from './events.js';

export type RunStatus =
  | 'pending' // runnable now
  | 'running' // claimed by a worker holding a live lease
  | 'sleeping' // durable sleep: runnable again at wakeAt
  | 'waiting' // waiting for a signal or child run, or until wakeAt (timeout)
  | 'parked' // claimed again and again without progress (a poison run): not claimed until resumed
  | 'completed'
  | 'failed'
  | 'cancelled';

export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** A JSON text as stored. Serialization rules live in store/serialize.ts. */
export type Json = string;

export interface StoredError {
  name: string;
  message: string; // already redacted
  errorClass: ErrorClass;
  /** What went wrong within the class (e.g. 'quota_exhausted'), when recognised; see ErrorKind. */
  kind?: string;
  /** When the provider said the exhausted quota or limit resets (epoch ms). */
  resetAt?: number;
  stepId?: string;
  attempts?: number;
  stack?: string; // redacted
  /** A best-effort step (`optional`) failed with this error and returned its default (the step's output). */
  defaulted?: boolean;
}

export interface Lease {
  workerId: string;
  host: string;
  pid: number;
  /** Fencing token: changes on every claim; every write by the holder names it. */
  token: string;
  expiresAt: number;
}

export interface RunRecord {
  id: string;
  workflow: string;
  status: RunStatus;
  input: Json;
  output: Json | null;
  error: StoredError | null;
  parentRunId: string | null;
  createdAt: number;
  updatedAt: number;
  /** sleeping/waiting runs become runnable at this time; null = only an event wakes them. */
  wakeAt: number | null;
  lease: Lease | null;
  cancelRequested: boolean;
  /** How many times the run has been claimed (1 on first execution). */
  claimCount: number;
  /**
   * Claims since the run last made progress (a step committed; 0 after a resume). A claim that
   * finds it at the claim's limit parks the run instead (see Store.claimRuns).
   */
  claimsWithoutProgress: number;
  /** The version of the workflow definition the run is pinned to (WorkflowOptions.version); null: unversioned. */
  version: number | null;
  /** W3C traceparent of the span that started the run (a parent's child slot, or the caller's span); absent when none. */
  traceParent?: string;
  /** How many generations of step results the run has had: 1 + its rewinds (Store.rewindRun); absent while 1. */
  generation?: number;
  /** Where compensating the run's completed steps is (issue 12 §3, migration 19); absent when it never was asked. */
  compensation?: CompensationState;
}

/**
 * A run's compensation (docs/time-travel.md, "Compensation"): `requested` by a rollback or by
 * a cancel of a run that was not executing, `running` while a worker runs the compensations,
 * then `done`, or `failed` when a compensation still failed after its retries (or could not be reached).
 */
export type CompensationState = 'requested' | 'running' | 'done' | 'failed';

export type StepStatus = 'completed' | 'failed' | 'waiting';

export interface StepRecord {
  runId: string;
  stepId: string; // name#occurrence, e.g. "fetch#0"
  name: string;
  /** Order in which the step was first recorded within the run (0-based). */
  seq: number;
  kind: StepKind;
  status: StepStatus;
  output: Json | null;
  error: StoredError | null;
  attempts: number;
  startedAt: number;
  completedAt: number | null;
  /**
   * What a step (kind step or fallback) ran with, as bit flags (src/insight/ran-with.ts: timeout,
   * retries, side effect, idempotency key read); null for other records and rows written before
   * migration 16.
   */
  ranWith?: number | null;
}

export type StepKind = 'step' | 'fallback' | 'sleep' | 'signal' | 'child' | 'now' | 'random' | 'uuid' | 'event' | 'send' | 'patch' | 'receive';

/** `cached`: the step's result came from the step cache; the body did not run (a `step.cached` event names the source run). */
export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'timeout' | 'interrupted' | 'cancelled' | 'cached';

export interface AttemptRecord {
  id: number;
  runId: string;
  stepId: string;
  stepName: string;
  attempt: number; // 1-based
  startedAt: number;
  endedAt: number | null;
  outcome: AttemptOutcome;
  errorClass: ErrorClass | null;
  errorMessage: string | null; // redacted
  durationMs: number | null;
  workerId: string;
  /** The fallback alternative this attempt ran (ctx.fallback); null for a plain step. */
  alternative: string | null;
  /** Set on the last attempt of an alternative the chain left: why it moved on and to which (e.g. "rate_limit: HTTP 429, moved to claude"). */
  movedOn: string | null;
  // Insight details (issue 10 §1, migration 9); null on rows written before it or not known.
  /** The error's name (e.g. 'RateLimitError'), for a failed attempt. */
  errorName: string | null;
  /** The failure's kind within its class (Classification.kind), when recognised. */
  errorKind: string | null;
  /** Groups failures that are the same problem (src/insight/fingerprint.ts); failed attempts only. */
  fingerprint: string | null;
  /** The fingerprint algorithm's version that computed `fingerprint`. */
  fingerprintVersion: number | null;
  /** The host of the worker that ran the attempt. */
  host: string | null;
  /** Committed cost of the attempt's model calls, in millionths of a US dollar. */
  costMicros: number | null;
  /** Tags: agent, model, provider (set by the LLM helpers) and the user's own. */
  tags: Record<string, string> | null;
}

export interface SignalRecord {
  id: number;
  runId: string;
  name: string;
  payload: Json;
  createdAt: number;
  consumedByStep: string | null;
  /** A message from another run (issue 12 §6): the sending run, and the message id (unique). Null for a plain signal. */
  senderRunId: string | null;
  messageId: string | null;
}

export interface EventRecord {
  id: number;
  runId: string;
  type: RunEventType;
  data: Json;
  at: number;
}
