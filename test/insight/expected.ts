// Expected insight figures computed straight from generated rows (src/testing/insight-history.ts),
// without the code under test: plain loops over the attempts, exact percentiles by sorting.
import type { HistoryAttempt } from '../../src/testing/insight-history.js';

export const HOUR = 3_600_000;

export interface ExpectedPattern {
  fingerprint: string;
  count: number;
  runs: number;
  workflows: string[];
  steps: string[];
  workers: string[];
  models: string[];
  lastHour: number;
  previous24h: number;
  trend: string;
}

const modelOf = (a: HistoryAttempt) => (a.tags === null ? null : `${a.tags.provider}/${a.tags.model}`);
const uniq = (xs: Array<string | null>) => [...new Set(xs.filter((x): x is string => x !== null))].sort();

/** The trend rule as docs/insight.md states it (restated here, not imported). */
export function expectedTrend(lastHour: number, previous24h: number, quietMs: number): string {
  if (lastHour === 0) return previous24h === 0 || quietMs >= Math.max(HOUR, (3 * 24 * HOUR) / previous24h) ? 'gone' : 'falling';
  if (previous24h === 0) return 'new';
  const rate = previous24h / 24;
  if (lastHour >= 2 * rate && lastHour >= 3) return 'rising';
  if (lastHour <= 0.5 * rate) return 'falling';
  return 'steady';
}

export function expectedPatterns(attempts: readonly HistoryAttempt[], since: number, until: number, workflow?: string): ExpectedPattern[] {
  const failed = attempts.filter((a) => a.fingerprint !== null && a.endedAt !== null && (workflow === undefined || a.workflow === workflow));
  const inWindow = failed.filter((a) => a.endedAt! >= since && a.endedAt! < until);
  const byFp = new Map<string, HistoryAttempt[]>();
  for (const a of inWindow) byFp.set(a.fingerprint!, [...(byFp.get(a.fingerprint!) ?? []), a]);
  const out: ExpectedPattern[] = [];
  for (const [fp, list] of byFp) {
    const lastHour = failed.filter((a) => a.fingerprint === fp && a.endedAt! >= until - HOUR && a.endedAt! < until).length;
    const previous24h = failed.filter((a) => a.fingerprint === fp && a.endedAt! >= until - 25 * HOUR && a.endedAt! < until - HOUR).length;
    const read = failed.filter((a) => a.fingerprint === fp && a.endedAt! >= Math.min(since, until - 25 * HOUR) && a.endedAt! < until);
    const lastSeen = Math.max(...read.map((a) => a.endedAt!));
    out.push({
      fingerprint: fp,
      count: list.length,
      runs: new Set(list.map((a) => a.runId)).size,
      workflows: uniq(list.map((a) => a.workflow)),
      steps: uniq(list.map((a) => a.stepName)),
      workers: uniq(list.map((a) => a.workerId)),
      models: uniq(list.map(modelOf)),
      lastHour,
      previous24h,
      trend: expectedTrend(lastHour, previous24h, until - lastSeen),
    });
  }
  return out.sort((a, b) => b.count - a.count || (a.fingerprint < b.fingerprint ? -1 : 1));
}

export interface ExpectedHealth {
  subject: string;
  name: string;
  attempts: number;
  successes: number;
  successRate: number;
  firstTrySuccessRate: number;
  retriesPerSuccess: number;
  failedCostMicros: number;
  p50: number;
  p95: number;
  p99: number;
  verdict: string;
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

/** Health figures of the attempts that ended in the whole hours overlapping [since, until), default thresholds. */
export function expectedHealth(attempts: readonly HistoryAttempt[], since: number, until: number): ExpectedHealth[] {
  const from = since - (since % HOUR);
  const ended = attempts.filter((a) => a.endedAt !== null && a.endedAt >= from && a.endedAt < until);
  const keys: Array<[string, (a: HistoryAttempt) => string | null]> = [
    ['workflow', (a) => a.workflow],
    ['step', (a) => `${a.workflow}/${a.stepName}`],
    ['worker', (a) => a.workerId],
    ['model', modelOf],
  ];
  const out: ExpectedHealth[] = [];
  for (const [subject, keyOf] of keys) {
    const groups = new Map<string, HistoryAttempt[]>();
    for (const a of ended) {
      const k = keyOf(a);
      if (k !== null) groups.set(k, [...(groups.get(k) ?? []), a]);
    }
    for (const [name, list] of groups) {
      const successes = list.filter((a) => a.outcome === 'succeeded').length;
      const first = list.filter((a) => a.attempt === 1);
      const retries = list.length - first.length;
      const durations = list.map((a) => a.durationMs!).sort((x, y) => x - y);
      const failureRate = 1 - successes / list.length;
      const rps = retries / Math.max(1, successes);
      const verdict = list.length < 20 ? 'no_data' : failureRate > 0.25 ? 'failing' : failureRate > 0.05 || rps > 0.5 ? 'degraded' : 'healthy';
      out.push({
        subject,
        name,
        attempts: list.length,
        successes,
        successRate: successes / list.length,
        firstTrySuccessRate: first.length === 0 ? 0 : first.filter((a) => a.outcome === 'succeeded').length / first.length,
        retriesPerSuccess: rps,
        failedCostMicros: list.filter((a) => a.outcome !== 'succeeded').reduce((s, a) => s + (a.costMicros ?? 0), 0),
        p50: percentile(durations, 0.5),
        p95: percentile(durations, 0.95),
        p99: percentile(durations, 0.99),
        verdict,
      });
    }
  }
  return out;
}
