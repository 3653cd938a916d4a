// Patterns and health on a generated history, asserted against figures computed from the
// generated rows in the test (expected.ts), on whichever backend `open` gives.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { insight } from '../../src/insight/insight.js';
import type { HealthRow, Pattern } from '../../src/insight/types.js';
import type { Store } from '../../src/store/store.js';
import { generateInsightHistory, historyFingerprint, type HistoryRunRows } from '../../src/testing/insight-history.js';
import { expectedHealth, expectedPatterns, HOUR } from './expected.js';

/** 12:30 UTC: the window starts mid-hour. */
export const NOW = Date.UTC(2026, 10, 30, 12, 30);
export const HISTORY = generateInsightHistory({ seed: 7, attempts: 8_000, now: NOW, spanMs: 26 * HOUR });

export interface LoadedStore {
  store: Store;
  cleanup: () => Promise<void>;
}

const patternFigures = (p: Pattern) => ({
  fingerprint: p.fingerprint,
  count: p.count,
  runs: p.runs,
  workflows: p.workflows,
  steps: p.steps,
  workers: p.workers,
  models: p.models,
  lastHour: p.rateLastHour,
  previous24h: Math.round(p.ratePrev24h * 24),
  trend: p.trend,
});

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;

export function insightCases(name: string, open: (history: readonly HistoryRunRows[]) => Promise<LoadedStore>): void {
  describe(`insight on a generated history (${name})`, () => {
    let opened: LoadedStore;
    const api = () => insight({ store: opened.store, clock: { now: () => NOW } });
    beforeAll(async () => {
      opened = await open(HISTORY.runs);
    }, 120_000);
    afterAll(async () => {
      await opened?.cleanup();
    });

    it('patterns: counts, runs, where they happen and trends match the rows', async () => {
      const patterns = await api().patterns();
      const expected = expectedPatterns(HISTORY.attempts, NOW - 24 * HOUR, NOW);
      expect(patterns.map(patternFigures)).toEqual(expected);
      // The generator's story: gpt-4o rate limits rise in the last hour, the lookup schema error is
      // new, the connection resets of fetch stopped 3 hours ago.
      const trend = (fault: string, step: string) => patterns.find((p) => p.fingerprint === historyFingerprint(fault, step))?.trend;
      expect([trend('rate-limit-4o', 'plan'), trend('schema-mismatch', 'lookup'), trend('conn-reset', 'fetch')]).toEqual(['rising', 'new', 'gone']);
      // The example is the latest failure of the window.
      const top = patterns[0]!;
      const latest = HISTORY.attempts.filter((a) => a.fingerprint === top.fingerprint && a.endedAt! >= NOW - 24 * HOUR && a.endedAt! < NOW).at(-1)!;
      expect([top.exampleRunId, top.exampleMessage, top.errorClass, top.errorName, top.fingerprintVersion]).toEqual([
        latest.runId,
        latest.errorMessage,
        latest.errorClass,
        latest.errorName,
        1,
      ]);
    });

    it('patterns of one workflow, over a shorter window, limited', async () => {
      const patterns = await api().patterns({ since: '6h', workflow: 'research' });
      expect(patterns.map(patternFigures)).toEqual(expectedPatterns(HISTORY.attempts, NOW - 6 * HOUR, NOW, 'research'));
      expect(patterns.every((p) => p.workflows.join() === 'research')).toBe(true);
      expect((await api().patterns({ since: '6h', workflow: 'research', limit: 2 })).map((p) => p.fingerprint)).toEqual(
        patterns.slice(0, 2).map((p) => p.fingerprint),
      );
    });

    it('health: rates, retries, failed cost, percentiles (within 4.5 %) and verdicts match the rows', async () => {
      const rows = await api().health();
      const expected = expectedHealth(HISTORY.attempts, NOW - 24 * HOUR, NOW);
      const key = (r: { subject: string; name: string }) => `${r.subject}:${r.name}`;
      expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
      for (const e of expected) {
        const r = rows.find((x) => key(x) === key(e))!;
        expect([key(r), r.attempts, r.successes, r.failedCostMicros, r.verdict]).toEqual([key(e), e.attempts, e.successes, e.failedCostMicros, e.verdict]);
        expect(r.successRate).toBeCloseTo(e.successRate, 12);
        expect(r.firstTrySuccessRate).toBeCloseTo(e.firstTrySuccessRate, 12);
        expect(r.retriesPerSuccess).toBeCloseTo(e.retriesPerSuccess, 12);
        for (const [got, exact] of [
          [r.p50Ms!, e.p50],
          [r.p95Ms!, e.p95],
          [r.p99Ms!, e.p99],
        ] as const) {
          expect(Math.abs(got - exact) / exact, `${key(e)}: ${got} vs ${exact}`).toBeLessThanOrEqual(0.045);
        }
      }
      // w-7 fails disk writes: degraded (or worse), with the failure rate as evidence and one action.
      const w7 = rows.find((r) => key(r) === 'worker:w-7')!;
      const e7 = expected.find((r) => key(r) === 'worker:w-7')!;
      const failures = e7.attempts - e7.successes;
      expect(w7.verdict).toBe('degraded');
      expect(w7.evidence[0]).toBe(`failure rate ${pct(1 - e7.successRate)} (${failures} of ${e7.attempts} attempts) > degraded threshold 5.0 %`);
      expect(w7.nextAction).toBe("Check worker w-7 and its host (drain it if only it fails): compare with the other workers' failure rates.");
      const healthy = rows.find((r) => r.verdict === 'healthy')!;
      expect(healthy.nextAction).toBe('');
    });

    it('health thresholds per kind of subject change the verdicts of that kind only', async () => {
      const base = await api().health();
      const strict = await api().health({ subjects: { model: { degradedFailureRate: 0.001, failingFailureRate: 0.9 } } });
      const pick = (rows: HealthRow[], subject: string) => rows.filter((r) => r.subject === subject).map((r) => [r.name, r.verdict]);
      expect(pick(strict, 'worker')).toEqual(pick(base, 'worker'));
      const models = strict.filter((r) => r.subject === 'model');
      expect(models.length).toBeGreaterThan(0);
      for (const m of models) expect([m.name, m.verdict]).toEqual([m.name, m.successRate < 0.999 ? 'degraded' : 'healthy']);
      expect(models.some((m) => m.evidence[0]!.endsWith('> degraded threshold 0.1 %'))).toBe(true);
    });

    it('rejects bad options with the field and the bound', async () => {
      await expect(api().health({ thresholds: { degradedFailureRate: 1.5 } })).rejects.toThrow(
        'Invalid option health.thresholds.degradedFailureRate: must be a number from 0 to 1 (got 1.5)',
      );
      await expect(api().health({ thresholds: { failingFailureRate: 0.01 } })).rejects.toThrow(
        'Invalid option health.thresholds.failingFailureRate: must be >= health.thresholds.degradedFailureRate (got 0.01 < 0.05)',
      );
      await expect(api().health({ subjects: { agent: {} } as never })).rejects.toThrow(
        'Invalid option health.subjects.agent: unknown subject (known: workflow, step, worker, model)',
      );
      await expect(api().health({ thresholds: { minAttempts: 0 } })).rejects.toThrow(
        'Invalid option health.thresholds.minAttempts: must be an integer from 1 to 1000000000 (got 0)',
      );
      await expect(api().patterns({ limit: 0 })).rejects.toThrow('Invalid option patterns.limit: must be an integer from 1 to 10000 (got 0)');
      await expect(api().patterns({ since: 'soon' as never })).rejects.toThrow(/Invalid option since/);
    });
  });
}
