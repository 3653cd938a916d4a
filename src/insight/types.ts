// The shapes insight (issue 10) computes from the store. Shared by the analytics (patterns,
// health), the SLO and recommendation modules, the CLI (`lifeline insight`) and the dashboard:
// each module fills its part; nothing here computes.
import type { ErrorClass } from '../errors/error-class.js';

/** The time range an insight query looks at: attempts/runs with a time in [since, until). */
export interface InsightWindow {
  since: number;
  until: number;
  /** Only this workflow's runs. */
  workflow?: string;
}

/** How a pattern's rate moves: last hour against the 24 hours before it. */
export type Trend = 'new' | 'rising' | 'steady' | 'falling' | 'gone';

/** One group of failures that are the same problem (one fingerprint). */
export interface Pattern {
  fingerprint: string;
  fingerprintVersion: number;
  errorClass: ErrorClass;
  errorKind: string | null;
  errorName: string | null;
  /** Failed attempts in the window. */
  count: number;
  /** Distinct runs affected. */
  runs: number;
  workflows: string[];
  steps: string[];
  workers: string[];
  /** Models/providers from the attempts' tags, where the LLM helpers set them. */
  models: string[];
  firstSeen: number;
  lastSeen: number;
  trend: Trend;
  /** Failures per hour in the last hour, and on average over the 24 hours before it. */
  rateLastHour: number;
  ratePrev24h: number;
  /** One stored (redacted) message and a run it came from. */
  exampleMessage: string;
  exampleRunId: string;
}

/** What a health row is about. */
export type HealthSubject = 'workflow' | 'step' | 'worker' | 'model';

export type HealthVerdict = 'healthy' | 'degraded' | 'failing' | 'no_data';

export interface HealthRow {
  subject: HealthSubject;
  /** The workflow name, `workflow/step`, the worker id, or `provider/model`. */
  name: string;
  attempts: number;
  successes: number;
  /**
   * Attempts that ended in success / all attempts that ended (per attempt, not per step: the hourly
   * rollup adds attempts up, so a step that succeeded on its third try counts one success in three).
   */
  successRate: number;
  firstTrySuccessRate: number;
  retriesPerSuccess: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Money spent on attempts that failed, in millionths of a US dollar. */
  failedCostMicros: number;
  verdict: HealthVerdict;
  /** Why: the numbers that decided the verdict, against their thresholds. */
  evidence: string[];
  /** One thing to do next (empty when healthy). */
  nextAction: string;
}
