// Recommendations from pattern fixtures: one per pattern by class and shape, concrete (step,
// provider, option), ranked by what worked before on similar failures, with the fix status.
import { describe, expect, it } from 'vitest';
import { defaultFixAction, recommend, suggestionsFor } from '../../src/insight/recommend.js';
import { evidenceFromFallbacks, evidenceFromFixes, evidenceFromRecoveries, type Evidence } from '../../src/insight/track-record.js';
import type { HealthRow, Pattern } from '../../src/insight/types.js';
import type { FixRecord } from '../../src/store/insight-records.js';
import type { RecoveryRecord } from '../../src/store/recoveries.js';
import type { AttemptRecord } from '../../src/store/types.js';

const T = 1_700_000_000_000;

function pattern(over: Partial<Pattern>): Pattern {
  return {
    fingerprint: 'fp-1',
    fingerprintVersion: 1,
    errorClass: 'unknown',
    errorKind: null,
    errorName: 'Error',
    count: 40,
    runs: 30,
    workflows: ['report'],
    steps: ['summarize'],
    workers: ['w1'],
    models: [],
    firstSeen: T - 86_400_000,
    lastSeen: T,
    trend: 'rising',
    rateLastHour: 20,
    ratePrev24h: 1,
    exampleMessage: 'boom',
    exampleRunId: 'run-7',
    ...over,
  };
}

function health(over: Partial<HealthRow>): HealthRow {
  return {
    subject: 'step',
    name: 'report/summarize',
    attempts: 100,
    successes: 80,
    successRate: 0.8,
    firstTrySuccessRate: 0.7,
    retriesPerSuccess: 0.3,
    p50Ms: 1000,
    p95Ms: 9000,
    p99Ms: 9800,
    failedCostMicros: 0,
    verdict: 'degraded',
    evidence: [],
    nextAction: '',
    ...over,
  };
}

function fix(over: Partial<FixRecord>): FixRecord {
  return {
    id: 1,
    fingerprint: 'old-fp',
    note: 'n',
    action: null,
    errorClass: 'rate_limit',
    errorKind: null,
    errorName: 'RateLimitError',
    stepName: 'summarize',
    workflow: 'report',
    createdAt: T - 10 * 86_400_000,
    failuresAfter: 0,
    lastFailureAt: null,
    ...over,
  };
}

const rateLimited = pattern({ errorClass: 'rate_limit', models: ['openai/gpt-4o'], errorName: 'RateLimitError' });

describe('suggestions by class and shape', () => {
  it('rate limits rising: a shared limit per provider, naming the provider, the step and the option', () => {
    const [first, second] = suggestionsFor(rateLimited);
    expect(first).toMatchObject({ action: 'limits', option: 'Lifeline.open limits + step option limits' });
    expect(first!.title).toBe(
      `Add a shared rate limit for "openai": Lifeline.open({ limits: { 'openai': { concurrency: 4, callsPerMinute: 60 } } }) (set them below the provider's quota) and ctx.step("summarize", fn, { limits: ['openai'] })`,
    );
    expect(first!.why).toBe(
      "rate_limit 40 failures (rising: 20.0/h in the last hour against 1.0/h over the 24 h before): calls exceed the provider's quota; a limit shared by every worker keeps them under it",
    );
    expect(second!.action).toBe('breaker');
  });

  it('timeouts: p95 near the timeout → raise it (to twice the timeout or 1.5 × p99); far below → a fallback first', () => {
    const timeouts = pattern({ errorClass: 'timeout', exampleMessage: 'Step "summarize#0" timed out after 10000 ms' });
    const near = suggestionsFor(timeouts, [health({ p95Ms: 9000, p99Ms: 9800 })]);
    expect(near.map((s) => s.action)).toEqual(['timeout', 'fallback', 'resume']);
    expect(near[0]!.title).toBe('Raise the timeout of "summarize" from 10000 ms: ctx.step("summarize", fn, { timeout: 20000 })');
    expect(near[0]!.why).toContain('p95 9000 ms against a 10000 ms timeout');
    const far = suggestionsFor(timeouts, [health({ p95Ms: 2000, p99Ms: 3000 })]);
    expect(far.map((s) => s.action)).toEqual(['fallback', 'timeout', 'resume']);
  });

  it('configuration: check credentials, never retried (and no recovery rule offered)', () => {
    const s = suggestionsFor(pattern({ errorClass: 'configuration', errorKind: 'auth', models: ['anthropic/claude'] }));
    expect(s.map((x) => x.action)).toEqual(['credentials']);
    expect(s[0]!.title).toBe(
      'Check the credentials and configuration "summarize" uses with "anthropic" (auth): configuration errors are never retried, so every run fails at once until it is fixed',
    );
  });

  it('malformed model output: structuredStep with re-ask; a flapping dependency: a shared breaker; no timeout: coverage', () => {
    const malformed = suggestionsFor(pattern({ errorClass: 'validation', errorKind: 'schema_mismatch', errorName: 'StructuredOutputError' }));
    expect(malformed[0]!.action).toBe('structured');
    expect(malformed[0]!.title).toContain('structuredStep(ctx, "summarize", { schema, model, maxReasks: 2 })');
    const flapping = suggestionsFor(pattern({ errorClass: 'dependency', steps: ['fetch'], workflows: ['etl'] }), [
      health({ name: 'etl/fetch', successRate: 0.6 }),
    ]);
    expect(flapping[0]!.action).toBe('breaker');
    expect(flapping[0]!.title).toContain(`ctx.step("fetch", fn, { breaker: 'fetch' })`);
    expect(flapping[0]!.why).toContain('attempt success rate 60%');
    const hung = suggestionsFor(pattern({ errorClass: 'unknown' }), [], ['report/summarize']);
    expect(hung.map((x) => x.action)).toEqual(['code', 'coverage', 'resume']);
    expect(hung[1]!.title).toContain('{ timeout: ');
    expect(defaultFixAction({ fingerprint: null, errorClass: 'rate_limit', errorKind: null, stepName: 'x' })).toBe('limits');
  });
});

describe('ranking by what worked before', () => {
  it('an action that worked 14 of 16 times on the same step ranks first and shows its record; one that failed 3 of 3 ranks below untried ones', () => {
    const fixes = [
      ...Array.from({ length: 16 }, (_, i) => fix({ id: i, action: 'fallback', failuresAfter: i < 14 ? 0 : 2 })),
      ...Array.from({ length: 3 }, (_, i) => fix({ id: 100 + i, action: 'limits', failuresAfter: 1 })),
    ];
    const [rec] = recommend({ patterns: [rateLimited], evidence: evidenceFromFixes(fixes, defaultFixAction) });
    expect(rec!.suggestion.action).toBe('fallback');
    expect(rec!.suggestion.recordText).toBe('worked 14 of 16 times (same step; fixes)');
    expect(rec!.alternatives.map((s) => [s.action, s.recordText])).toEqual([
      ['breaker', 'no record yet'],
      ['resume', 'no record yet'],
      ['limits', 'worked 0 of 3 times (same step; fixes)'],
    ]);
  });

  it('recovery decisions and fallback hops count without any fix recorded; other steps count as "same class" only when the step has none', () => {
    const decision = (outcome: RecoveryRecord['outcome'], stepId: string): RecoveryRecord =>
      ({ strategy: 'resume', errorClass: 'rate_limit', stepId, outcome }) as RecoveryRecord;
    const fromRecoveries = evidenceFromRecoveries([decision('recovered', 'other#0'), decision('recovered', 'other#1'), decision('open', 'other#0')]);
    expect(fromRecoveries).toHaveLength(2);
    const [rec] = recommend({ patterns: [rateLimited], evidence: fromRecoveries });
    expect(rec!.suggestion).toMatchObject({ action: 'resume', recordText: 'worked 2 of 2 times (same class; recovery decisions)' });

    const attempt = (n: number, alternative: string, outcome: AttemptRecord['outcome'], movedOn: string | null, runId = 'r1'): AttemptRecord =>
      ({
        runId,
        stepId: 'summarize#0',
        stepName: 'summarize',
        attempt: n,
        alternative,
        outcome,
        movedOn,
        errorClass: outcome === 'succeeded' ? null : 'rate_limit',
        errorKind: null,
        fingerprint: outcome === 'succeeded' ? null : 'fp-1',
      }) as AttemptRecord;
    const hops = evidenceFromFallbacks([
      attempt(1, 'gpt', 'failed', 'rate_limit: 429, moved to claude'),
      attempt(2, 'claude', 'succeeded', null),
      attempt(1, 'gpt', 'failed', 'rate_limit: 429, moved to claude', 'r2'),
      attempt(2, 'claude', 'failed', null, 'r2'),
      attempt(1, 'gpt', 'failed', 'rate_limit: 429, moved to claude', 'r3'),
      attempt(2, 'claude', 'running', null, 'r3'),
    ]);
    expect(hops.map((e: Evidence) => [e.action, e.worked])).toEqual([
      ['fallback', true],
      ['fallback', false],
    ]);
    const [withHops] = recommend({ patterns: [rateLimited], evidence: [...fromRecoveries, ...hops] });
    expect(withHops!.suggestion.action).toBe('resume'); // 3/4 smoothed beats fallback's 2/4
    expect(withHops!.alternatives.find((s) => s.action === 'fallback')!.recordText).toBe('worked 1 of 2 times (same step; fallback chains)');
  });

  it('fix status: resolved when the fingerprint has not failed since the latest fix, regressed (listed first) when it has', () => {
    const a = pattern({ fingerprint: 'a', lastSeen: T - 5000 });
    const b = pattern({ fingerprint: 'b', lastSeen: T });
    const c = pattern({ fingerprint: 'c' });
    const recs = recommend({
      patterns: [a, b, c],
      fixes: [fix({ fingerprint: 'a', createdAt: T - 1000 }), fix({ fingerprint: 'b', createdAt: T - 1000, failuresAfter: 3, lastFailureAt: T })],
    });
    expect(recs.map((r) => [r.fingerprint, r.status])).toEqual([
      ['b', 'regressed'],
      ['a', 'resolved'],
      ['c', 'open'],
    ]);
  });
});
