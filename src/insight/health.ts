// Health (issue 10 §3): per workflow, step, worker and model, from the hourly attempt rollups
// (Store.attemptRollups): success rates, retries, duration percentiles, money lost to failures,
// and a verdict by thresholds with its evidence and one next action (docs/insight.md "Health").
import { checkKnownKeys, checkNumber, checkObject, checkOrdered, optionError } from '../options/option-check.js';
import { addRollup, histogramPercentile, type AttemptRollup } from '../store/insight-rollup.js';
import type { Store } from '../store/store.js';
import type { HealthRow, HealthSubject, HealthVerdict, InsightWindow } from './types.js';

export interface HealthThresholds {
  /** Degraded when the failure rate (failed attempts / ended attempts) is over this. Default 0.05. */
  degradedFailureRate: number;
  /** Failing when the failure rate is over this. Default 0.25. */
  failingFailureRate: number;
  /** Degraded when retries per success are over this. Default 0.5. */
  maxRetriesPerSuccess: number;
  /** Degraded when p95 is over this many ms. Default: no latency threshold. */
  p95Ms: number | null;
  /** Fewer ended attempts than this: no verdict (no_data). Default 20. */
  minAttempts: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  degradedFailureRate: 0.05,
  failingFailureRate: 0.25,
  maxRetriesPerSuccess: 0.5,
  p95Ms: null,
  minAttempts: 20,
});

export interface HealthOptions {
  /** Thresholds for every subject. */
  thresholds?: Partial<HealthThresholds>;
  /** Per kind of subject, over `thresholds` (e.g. `{ model: { degradedFailureRate: 0.02 } }`). */
  subjects?: Partial<Record<HealthSubject, Partial<HealthThresholds>>>;
}

export const HEALTH_SUBJECTS: readonly HealthSubject[] = ['workflow', 'step', 'worker', 'model'];
const THRESHOLD_KEYS = ['degradedFailureRate', 'failingFailureRate', 'maxRetriesPerSuccess', 'p95Ms', 'minAttempts'] as const;

function checkThresholds(value: unknown, path: string, base: HealthThresholds): HealthThresholds {
  if (value === undefined) return base;
  const o = checkObject(value, path);
  checkKnownKeys(o, path, THRESHOLD_KEYS);
  const rate = (k: 'degradedFailureRate' | 'failingFailureRate') =>
    o[k] === undefined ? base[k] : checkNumber(o[k], `${path}.${k}`, { min: 0, max: 1, integer: false });
  const t: HealthThresholds = {
    degradedFailureRate: rate('degradedFailureRate'),
    failingFailureRate: rate('failingFailureRate'),
    maxRetriesPerSuccess:
      o.maxRetriesPerSuccess === undefined
        ? base.maxRetriesPerSuccess
        : checkNumber(o.maxRetriesPerSuccess, `${path}.maxRetriesPerSuccess`, { min: 0, max: 1000, integer: false }),
    p95Ms:
      o.p95Ms === undefined || o.p95Ms === null
        ? o.p95Ms === null
          ? null
          : base.p95Ms
        : checkNumber(o.p95Ms, `${path}.p95Ms`, { min: 1, max: 86_400_000, integer: false }),
    minAttempts:
      o.minAttempts === undefined ? base.minAttempts : checkNumber(o.minAttempts, `${path}.minAttempts`, { min: 1, max: 1_000_000_000, integer: true }),
  };
  checkOrdered({ path: `${path}.degradedFailureRate`, value: t.degradedFailureRate }, { path: `${path}.failingFailureRate`, value: t.failingFailureRate });
  return t;
}

/** The thresholds per kind of subject, validated (InvalidOptionsError naming the field and bound). */
export function healthThresholds(options: HealthOptions = {}, where = 'health'): Record<HealthSubject, HealthThresholds> {
  const o = checkObject(options, where);
  checkKnownKeys(o, where, ['thresholds', 'subjects', 'since', 'workflow']);
  const base = checkThresholds(o.thresholds, `${where}.thresholds`, DEFAULT_HEALTH_THRESHOLDS);
  const subjects = o.subjects === undefined ? {} : checkObject(o.subjects, `${where}.subjects`);
  checkKnownKeys(subjects, `${where}.subjects`, HEALTH_SUBJECTS, 'subject');
  const out = {} as Record<HealthSubject, HealthThresholds>;
  for (const s of HEALTH_SUBJECTS) out[s] = checkThresholds(subjects[s], `${where}.subjects.${s}`, base);
  return out;
}

/** A subject's sums: a rollup row whose key fields are not used. */
type Totals = AttemptRollup;

const subjectName = (subject: HealthSubject, r: AttemptRollup): string | null =>
  subject === 'workflow' ? r.workflow : subject === 'step' ? `${r.workflow}/${r.step}` : subject === 'worker' ? r.worker : r.model;

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

/** What to do about a subject, by the rule that fired first (failure rate, retries, latency). */
function nextAction(subject: HealthSubject, name: string, rule: 'failures' | 'retries' | 'latency'): string {
  if (rule === 'retries')
    return `Most successes of ${name} need retries: see which errors are retried (lifeline insight patterns) and fix the cause or add a rate limit/backoff.`;
  if (rule === 'latency') return `p95 of ${name} is over the target: raise its timeout or add a faster fallback, and check the slow attempts.`;
  switch (subject) {
    case 'workflow':
      return `Look at the top failure patterns: lifeline insight patterns --workflow ${name}`;
    case 'step':
      return `Look at the failures of step ${name}: lifeline insight patterns --workflow ${name.slice(0, name.lastIndexOf('/'))}`;
    case 'worker':
      return `Check worker ${name} and its host (drain it if only it fails): compare with the other workers' failure rates.`;
    case 'model':
      return `Add a fallback model or a circuit breaker for ${name}, and check its top pattern (lifeline insight patterns).`;
  }
}

/** One subject's row from its totals: the figures and the verdict. */
export function healthRow(subject: HealthSubject, name: string, t: Totals, th: HealthThresholds): HealthRow {
  const successRate = t.attempts === 0 ? 0 : t.successes / t.attempts;
  const failureRate = 1 - successRate;
  const retriesPerSuccess = t.retries / Math.max(1, t.successes);
  const p95 = histogramPercentile(t.durations, 0.95);
  const row: HealthRow = {
    subject,
    name,
    attempts: t.attempts,
    successes: t.successes,
    successRate,
    firstTrySuccessRate: t.firstTries === 0 ? 0 : t.firstTrySuccesses / t.firstTries,
    retriesPerSuccess,
    p50Ms: round1(histogramPercentile(t.durations, 0.5)),
    p95Ms: round1(p95),
    p99Ms: round1(histogramPercentile(t.durations, 0.99)),
    failedCostMicros: t.failedCostMicros,
    verdict: 'healthy',
    evidence: [],
    nextAction: '',
  };
  if (t.attempts < th.minAttempts) {
    row.verdict = 'no_data';
    row.evidence = [`${t.attempts} ended attempts, fewer than minAttempts ${th.minAttempts}`];
    return row;
  }
  const failures = `failure rate ${pct(failureRate)} (${t.attempts - t.successes} of ${t.attempts} attempts)`;
  let verdict: HealthVerdict = 'healthy';
  let rule: 'failures' | 'retries' | 'latency' | undefined;
  if (failureRate > th.failingFailureRate) {
    verdict = 'failing';
    rule = 'failures';
    row.evidence.push(`${failures} > failing threshold ${pct(th.failingFailureRate)}`);
  } else if (failureRate > th.degradedFailureRate) {
    verdict = 'degraded';
    rule = 'failures';
    row.evidence.push(`${failures} > degraded threshold ${pct(th.degradedFailureRate)}`);
  } else row.evidence.push(`${failures} <= degraded threshold ${pct(th.degradedFailureRate)}`);
  const retries = `retries per success ${retriesPerSuccess.toFixed(2)} (${t.retries} retries, ${t.successes} successes)`;
  if (retriesPerSuccess > th.maxRetriesPerSuccess) {
    if (verdict === 'healthy') verdict = 'degraded';
    rule ??= 'retries';
    row.evidence.push(`${retries} > maxRetriesPerSuccess ${th.maxRetriesPerSuccess}`);
  } else row.evidence.push(`${retries} <= maxRetriesPerSuccess ${th.maxRetriesPerSuccess}`);
  if (th.p95Ms !== null && p95 !== null) {
    if (p95 > th.p95Ms) {
      if (verdict === 'healthy') verdict = 'degraded';
      rule ??= 'latency';
      row.evidence.push(`p95 ${Math.round(p95)} ms > p95Ms ${th.p95Ms}`);
    } else row.evidence.push(`p95 ${Math.round(p95)} ms <= p95Ms ${th.p95Ms}`);
  }
  row.verdict = verdict;
  row.nextAction = rule === undefined ? '' : nextAction(subject, name, rule);
  return row;
}

const SEVERITY: Record<HealthVerdict, number> = { failing: 0, degraded: 1, healthy: 2, no_data: 3 };

/** Sums rollup rows per subject and name. */
export function healthTotals(rollups: readonly AttemptRollup[], subject: HealthSubject): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const r of rollups) {
    const name = subjectName(subject, r);
    if (name === null) continue;
    let t = totals.get(name);
    if (t === undefined) {
      t = { ...r, durations: { ...r.durations } };
      totals.set(name, t);
    } else addRollup(t, r);
  }
  return totals;
}

/**
 * Health rows of the window (whole hours: the hour holding `since` counts whole), by subject
 * (workflow, step, worker, model), then worst verdict first, then name.
 */
export async function computeHealth(
  store: Store,
  window: InsightWindow,
  thresholds: Record<HealthSubject, HealthThresholds>,
  now: number,
): Promise<HealthRow[]> {
  if (window.until <= window.since) throw optionError('health.since', `must be before now (got a window of ${window.until - window.since} ms)`);
  const rollups = await store.attemptRollups({
    since: window.since,
    until: window.until,
    ...(window.workflow !== undefined ? { workflow: window.workflow } : {}),
    now,
  });
  const rows: HealthRow[] = [];
  for (const subject of HEALTH_SUBJECTS) {
    const part: HealthRow[] = [];
    for (const [name, t] of healthTotals(rollups, subject)) part.push(healthRow(subject, name, t, thresholds[subject]));
    part.sort((a, b) => SEVERITY[a.verdict] - SEVERITY[b.verdict] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    rows.push(...part);
  }
  return rows;
}
