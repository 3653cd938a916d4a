// Patterns (issue 10 §2): failures grouped by fingerprint, with who they hit and how their rate
// moves. Computed from Store.failureGroups; the rules are documented in docs/insight.md.
import type { ErrorClass } from '../errors/error-class.js';
import type { FailureGroup } from '../store/insight-rollup.js';
import type { Store } from '../store/store.js';
import type { InsightWindow, Pattern, Trend } from './types.js';

const HOUR = 3_600_000;

/** The trend rules' thresholds (docs/insight.md "Patterns"). */
export const TREND_RULES = Object.freeze({
  /** Rising: the last hour's count is at least this times the previous 24 hours' hourly rate... */
  risingFactor: 2,
  /** ...and at least this many failures in the last hour (a single failure is not a rise). */
  minRisingCount: 3,
  /** Falling: the last hour's count is at most this times the previous hourly rate. */
  fallingFactor: 0.5,
  /** Gone: quiet for this many of its usual intervals between failures (and at least an hour). */
  goneIntervals: 3,
});

/**
 * The trend of a pattern from its failures in the last hour and in the 24 hours before, and how
 * long ago it was last seen (docs/insight.md "Patterns"):
 * - none in the last hour: gone when it has been quiet for at least an hour and for three of its
 *   usual intervals between failures (24 h / previous count), or it had none in the 24 h before
 *   either; otherwise falling (quiet, but not for long enough to tell);
 * - none in the 24 h before: new;
 * - rising when the last hour has at least twice the previous hourly rate and at least 3 failures;
 * - falling when it has at most half the previous hourly rate; else steady.
 */
export function trendOf(lastHour: number, previous24h: number, quietMs: number): Trend {
  if (lastHour === 0) {
    if (previous24h === 0) return 'gone';
    return quietMs >= Math.max(HOUR, (TREND_RULES.goneIntervals * 24 * HOUR) / previous24h) ? 'gone' : 'falling';
  }
  if (previous24h === 0) return 'new';
  const previousRate = previous24h / 24;
  if (lastHour >= TREND_RULES.risingFactor * previousRate && lastHour >= TREND_RULES.minRisingCount) return 'rising';
  if (lastHour <= TREND_RULES.fallingFactor * previousRate) return 'falling';
  return 'steady';
}

const sorted = (values: Iterable<string | null>) => [...new Set([...values].filter((v): v is string => v !== null))].sort();

/**
 * The failure patterns of the window, most frequent first (ties by fingerprint). Counts, runs and
 * the example are of the window; the trend compares the hour before `until` with the 24 hours
 * before that, read even when the window is shorter; first/last seen are over what was read.
 */
export async function findPatterns(store: Store, window: InsightWindow): Promise<Pattern[]> {
  const recent = window.until - HOUR;
  const previous = window.until - 25 * HOUR;
  const { groups, fingerprints } = await store.failureGroups({
    since: Math.min(window.since, previous),
    until: window.until,
    ...(window.workflow !== undefined ? { workflow: window.workflow } : {}),
    marks: [window.since, recent, previous],
  });
  const byFingerprint = new Map<string, FailureGroup[]>();
  for (const g of groups) {
    const list = byFingerprint.get(g.fingerprint) ?? [];
    list.push(g);
    byFingerprint.set(g.fingerprint, list);
  }
  const patterns: Pattern[] = [];
  for (const summary of fingerprints) {
    const all = byFingerprint.get(summary.fingerprint) ?? [];
    const inWindow = all.filter((g) => (g.counts[0] ?? 0) > 0);
    const count = inWindow.reduce((s, g) => s + (g.counts[0] ?? 0), 0);
    if (count === 0) continue;
    const lastHour = all.reduce((s, g) => s + (g.counts[1] ?? 0), 0);
    const previous24h = all.reduce((s, g) => s + (g.counts[2] ?? 0) - (g.counts[1] ?? 0), 0);
    const lastSeen = Math.max(...all.map((g) => g.lastSeen));
    patterns.push({
      fingerprint: summary.fingerprint,
      fingerprintVersion: summary.fingerprintVersion ?? 0,
      errorClass: (summary.errorClass ?? 'unknown') as ErrorClass,
      errorKind: summary.errorKind,
      errorName: summary.errorName,
      count,
      runs: summary.runs,
      workflows: sorted(inWindow.map((g) => g.workflow)),
      steps: sorted(inWindow.map((g) => g.step)),
      workers: sorted(inWindow.map((g) => g.worker)),
      models: sorted(inWindow.map((g) => g.model)),
      firstSeen: Math.min(...all.map((g) => g.firstSeen)),
      lastSeen,
      trend: trendOf(lastHour, previous24h, window.until - lastSeen),
      rateLastHour: lastHour,
      ratePrev24h: previous24h / 24,
      exampleMessage: summary.exampleMessage,
      exampleRunId: summary.exampleRunId,
    });
  }
  return patterns.sort((a, b) => b.count - a.count || (a.fingerprint < b.fingerprint ? -1 : 1));
}
