// Coverage and an honest health score (issue 10 §6): which steps ran without a timeout or a
// retry policy, which workflows have no SLO, which side effects ran without reading their
// idempotency key; and one score whose parts are all shown (numerator / denominator each), not
// a number that hides them. Computed from the step records' coverage flags (StepRecord.ranWith).
import type { Store } from '../store/store.js';
import type { StepCoverageRow } from '../store/attempt-insight.js';
import type { InsightWindow } from './types.js';

/** A step (workflow/step name) that ran at least once in the window without something. */
export interface UncoveredStep {
  workflow: string;
  step: string;
  /** Step records in the window. */
  runs: number;
  /** Of them, those that ran without it. */
  without: number;
}

/** One part of the score: `covered` of `total`, and the ratio (null when there is nothing to count). */
export interface ScorePart {
  name: 'timeouts' | 'retries' | 'slos' | 'idempotency';
  description: string;
  covered: number;
  total: number;
  ratio: number | null;
}

export interface CoverageReport {
  window: InsightWindow;
  /** Distinct workflow/step pairs seen in the window. */
  steps: number;
  withoutTimeout: UncoveredStep[];
  withoutRetries: UncoveredStep[];
  /** Side-effect steps that ran (some times) without reading info.idempotencyKey. */
  sideEffectsWithoutKey: UncoveredStep[];
  /** Workflows seen in the window that have no SLO (per the list given). */
  workflowsWithoutSlo: string[];
  /** 0..100: the mean of the parts that have a denominator; null when none has. */
  score: number | null;
  parts: ScorePart[];
}

export interface CoverageOptions {
  /** The workflows that have an SLO (the SLO module provides them); default: none. */
  workflowsWithSlo?: readonly string[];
}

/** The coverage of the steps that completed in `window`. */
export async function coverage(source: Store | { store: Store }, window: InsightWindow, options: CoverageOptions = {}): Promise<CoverageReport> {
  const store = 'store' in source && !('backend' in source) ? source.store : (source as Store);
  const rows = await store.stepCoverage({ since: window.since, until: window.until, ...(window.workflow === undefined ? {} : { workflow: window.workflow }) });
  return coverageOf(rows, window, options);
}

/** The report from the per-step counts (pure: tests compute it independently from these). */
export function coverageOf(rows: readonly StepCoverageRow[], window: InsightWindow, options: CoverageOptions = {}): CoverageReport {
  const missing = (without: (r: StepCoverageRow) => number, runs: (r: StepCoverageRow) => number = (r) => r.steps): UncoveredStep[] =>
    rows
      .filter((r) => without(r) > 0)
      .map((r) => ({ workflow: r.workflow, step: r.step, runs: runs(r), without: without(r) }))
      .sort((a, b) => b.without - a.without || a.workflow.localeCompare(b.workflow) || a.step.localeCompare(b.step));
  const withoutTimeout = missing((r) => r.steps - r.withTimeout);
  const withoutRetries = missing((r) => r.steps - r.withRetries);
  const sideEffectsWithoutKey = missing(
    (r) => r.sideEffects - r.sideEffectsKeyRead,
    (r) => r.sideEffects,
  );
  const workflows = [...new Set(rows.map((r) => r.workflow))].sort();
  const withSlo = new Set(options.workflowsWithSlo ?? []);
  const workflowsWithoutSlo = workflows.filter((w) => !withSlo.has(w));
  const sideEffectSteps = rows.filter((r) => r.sideEffects > 0);
  const parts: ScorePart[] = [
    part('timeouts', 'steps whose every run had a timeout', rows.length - withoutTimeout.length, rows.length),
    part('retries', 'steps whose every run had a retry policy (more than one attempt)', rows.length - withoutRetries.length, rows.length),
    part('slos', 'workflows with an SLO', workflows.length - workflowsWithoutSlo.length, workflows.length),
    part(
      'idempotency',
      'side-effect steps that always read their idempotency key',
      sideEffectSteps.length - sideEffectsWithoutKey.length,
      sideEffectSteps.length,
    ),
  ];
  const counted = parts.filter((p) => p.ratio !== null);
  const score = counted.length === 0 ? null : Math.round((counted.reduce((sum, p) => sum + (p.ratio as number), 0) / counted.length) * 100);
  return { window, steps: rows.length, withoutTimeout, withoutRetries, sideEffectsWithoutKey, workflowsWithoutSlo, score, parts };
}

function part(name: ScorePart['name'], description: string, covered: number, total: number): ScorePart {
  return { name, description, covered, total, ratio: total === 0 ? null : covered / total };
}
