// Recommendations (issue 10 §5): one per failure pattern, from its class and shape, concrete
// (names the step, the provider and the option to set), ranked by what worked before on similar
// failures (track-record.ts), with the pattern's fix status. Pure over Pattern and HealthRow
// values; docs/insight.md, "Recommendations and fixes".
import type { FixRecord } from '../store/insight-records.js';
import { describeRecord, trackRecord, type ActionId, type Evidence, type FailureShape, type TrackRecord } from './track-record.js';
import type { HealthRow, Pattern } from './types.js';

export interface Suggestion {
  action: ActionId;
  /** The option or API to use (e.g. `Lifeline.open limits` and step option `limits`). */
  option: string;
  /** What to do, naming the step and provider. */
  title: string;
  /** Why, from the pattern's numbers. */
  why: string;
  record: TrackRecord | null;
  /** "worked 14 of 16 times (same step; fixes)", or "no record yet". */
  recordText: string;
}

export type FixStatus = 'open' | 'resolved' | 'regressed';

export interface Recommendation {
  fingerprint: string;
  errorClass: Pattern['errorClass'];
  errorKind: string | null;
  workflows: string[];
  steps: string[];
  count: number;
  trend: Pattern['trend'];
  exampleRunId: string;
  /** The best-ranked suggestion, then the others. */
  suggestion: Suggestion;
  alternatives: Suggestion[];
  /** open: no fix recorded; resolved: none of its failures since the latest fix; regressed: it failed again after it (flagged). */
  status: FixStatus;
  fix: FixRecord | null;
}

export interface RecommendInput {
  patterns: readonly Pattern[];
  health?: readonly HealthRow[];
  fixes?: readonly FixRecord[];
  /** What worked before: evidenceFromFixes / evidenceFromRecoveries / evidenceFromFallbacks. */
  evidence?: readonly Evidence[];
  /** Steps (`workflow/step`) that ran without a timeout (coverage). */
  stepsWithoutTimeout?: readonly string[];
}

const MALFORMED_KINDS = new Set(['no_json', 'invalid_json', 'schema_mismatch', 'output_truncated']);
const CONFIG_KINDS = new Set(['auth', 'model_not_found', 'quota_exhausted']);

const stepName = (step: string) => step.replace(/^.*\//, '').replace(/#\d+$/, '');
const list = (items: readonly string[]) => items.map((s) => `"${s}"`).join(', ');

/** The provider key of a pattern: the provider part of its first model tag, else its first step. */
function providerOf(p: Pattern): string {
  const model = p.models[0];
  if (model !== undefined) return model.includes('/') ? model.split('/')[0]! : model;
  return stepName(p.steps[0] ?? 'dependency');
}

/** A step timeout the stored message states ("timed out after 30000 ms"). */
export function timeoutFromMessage(message: string): number | null {
  const match = /timed out after (\d+) ?ms/.exec(message);
  return match ? Number(match[1]) : null;
}

function stepHealth(p: Pattern, health: readonly HealthRow[]): HealthRow | undefined {
  const names = p.steps.flatMap((s) => (s.includes('/') ? [s] : p.workflows.map((w) => `${w}/${stepName(s)}`)));
  return health.find((h) => h.subject === 'step' && names.includes(h.name));
}

type Draft = Omit<Suggestion, 'record' | 'recordText'>;

function rateText(p: Pattern): string {
  return `${p.count} failures (${p.trend}: ${p.rateLastHour.toFixed(1)}/h in the last hour against ${p.ratePrev24h.toFixed(1)}/h over the 24 h before)`;
}

/** The suggestions for a pattern by its class and shape, most fitting first. */
export function suggestionsFor(p: Pattern, health: readonly HealthRow[] = [], stepsWithoutTimeout: readonly string[] = []): Draft[] {
  const steps = list(p.steps.map(stepName));
  const provider = providerOf(p);
  const h = stepHealth(p, health);
  const out: Draft[] = [];
  const limits: Draft = {
    action: 'limits',
    option: 'Lifeline.open limits + step option limits',
    title: `Add a shared rate limit for "${provider}": Lifeline.open({ limits: { '${provider}': { concurrency: 4, callsPerMinute: 60 } } }) (set them below the provider's quota) and ctx.step(${steps}, fn, { limits: ['${provider}'] })`,
    why: `rate_limit ${rateText(p)}: calls exceed the provider's quota; a limit shared by every worker keeps them under it`,
  };
  const breaker: Draft = {
    action: 'breaker',
    option: 'Lifeline.open breakers + step option breaker',
    title: `Put a shared circuit breaker on "${provider}": Lifeline.open({ breakers: { '${provider}': { failureRateThreshold: 0.5, minimumCalls: 10, coolDownMs: 30000 } } }) and ctx.step(${steps}, fn, { breaker: '${provider}' })`,
    why: `${p.errorClass} ${rateText(p)}${h ? `; attempt success rate ${(h.successRate * 100).toFixed(0)}%` : ''}: while it is down, runs wait instead of spending retries`,
  };
  const timeoutMs = timeoutFromMessage(p.exampleMessage);
  const raiseTo = Math.max(timeoutMs === null ? 0 : timeoutMs * 2, h?.p99Ms != null ? Math.ceil((h.p99Ms * 1.5) / 1000) * 1000 : 0);
  const timeout: Draft = {
    action: 'timeout',
    option: 'step option timeout',
    title: `Raise the timeout of ${steps}${timeoutMs === null ? '' : ` from ${timeoutMs} ms`}: ctx.step(${steps}, fn, { timeout: ${raiseTo > 0 ? raiseTo : "'2m'"} })`,
    why: `timeouts: ${rateText(p)}${h?.p95Ms != null ? `; p95 ${Math.round(h.p95Ms)} ms${timeoutMs === null ? '' : ` against a ${timeoutMs} ms timeout`}` : ''}`,
  };
  const fallback: Draft = {
    action: 'fallback',
    option: 'ctx.fallback',
    title: `Give ${steps} a fallback: ctx.fallback(${steps}, [{ name: '${provider}', run }, { name: 'another-provider', run }]) moves on at once on timeout, rate_limit or dependency errors`,
    why: `${p.errorClass} ${rateText(p)}`,
  };
  const coverage: Draft = {
    action: 'coverage',
    option: 'step option timeout',
    title: `Give ${steps} a timeout: it runs without one, so a hung call holds the run until its lease is taken over: ctx.step(${steps}, fn, { timeout: '${h?.p99Ms != null ? Math.max(1, Math.ceil((h.p99Ms * 3) / 1000)) : 60}s' })`,
    why: `${p.errorClass} failures on a step without a timeout (coverage)`,
  };
  const withoutTimeout = p.steps.some((s) => stepsWithoutTimeout.includes(s) || p.workflows.some((w) => stepsWithoutTimeout.includes(`${w}/${stepName(s)}`)));

  if (p.errorClass === 'configuration' || (p.errorKind !== null && CONFIG_KINDS.has(p.errorKind))) {
    out.push({
      action: 'credentials',
      option: 'the provider credentials / configuration (Lifeline.open secrets keeps keys out of logs)',
      title: `Check the credentials and configuration ${steps} uses with "${provider}"${p.errorKind ? ` (${p.errorKind})` : ''}: configuration errors are never retried, so every run fails at once until it is fixed`,
      why: `${p.count} failures of class ${p.errorClass}; example: ${p.exampleMessage}`,
    });
  } else if ((p.errorKind !== null && MALFORMED_KINDS.has(p.errorKind)) || /Structured|Json|Schema/i.test(p.errorName ?? '')) {
    out.push({
      action: 'structured',
      option: 'structuredStep maxReasks',
      title: `Parse the model's answer in ${steps} with structuredStep(ctx, ${steps}, { schema, model, maxReasks: 2 }): it repairs the JSON and re-asks with the validation errors`,
      why: `malformed model output (${p.errorKind ?? p.errorName}): ${rateText(p)}`,
    });
    out.push(fallback);
  } else if (p.errorClass === 'rate_limit') {
    out.push(limits, breaker, fallback);
  } else if (p.errorClass === 'timeout') {
    const nearTimeout = h?.p95Ms != null && timeoutMs !== null && h.p95Ms >= 0.8 * timeoutMs;
    out.push(...(nearTimeout ? [timeout, fallback] : [fallback, timeout]));
  } else if (p.errorClass === 'dependency' || p.errorClass === 'transient') {
    out.push(breaker, fallback);
  } else if (p.errorClass === 'interrupted') {
    out.push(coverage);
  } else {
    out.push({
      action: 'code',
      option: 'the step function',
      title: `Fix the code of ${steps}: ${p.errorClass} errors are ${p.errorClass === 'unknown' ? 'retried but not understood' : 'not retried'}; start from run ${p.exampleRunId}`,
      why: `${p.count} failures; example: ${p.exampleMessage}`,
    });
  }
  if (withoutTimeout && !out.some((d) => d.action === 'coverage')) out.push(coverage);
  if (p.errorClass !== 'configuration' && p.errorClass !== 'validation' && p.errorClass !== 'logic') {
    out.push({
      action: 'resume',
      option: 'defineWorkflow recovery',
      title: `Add a recovery rule to ${list(p.workflows)}: defineWorkflow(name, fn, { recovery: [{ on: '${p.errorClass}', strategy: 'resume', delay: '1m' }] }) retries the failed step later instead of failing the run`,
      why: `${p.errorClass} failures pass with time`,
    });
  }
  return out;
}

/** Laplace-smoothed success share: an action that worked 14 of 16 times beats an untried one (0.5), which beats one that failed 3 of 3. */
function score(record: TrackRecord | null): number {
  return record === null ? 0.5 : (record.worked + 1) / (record.tried + 2);
}

function fixStatus(p: Pattern, fixes: readonly FixRecord[]): { status: FixStatus; fix: FixRecord | null } {
  const fix = fixes.filter((f) => f.fingerprint === p.fingerprint).sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
  if (fix === null) return { status: 'open', fix };
  return { status: fix.failuresAfter > 0 || p.lastSeen > fix.createdAt ? 'regressed' : 'resolved', fix };
}

/** A recommendation per pattern, in the patterns' order; regressed patterns first. */
export function recommend(input: RecommendInput): Recommendation[] {
  const evidence = input.evidence ?? [];
  const out = input.patterns.map((p): Recommendation => {
    const shape: FailureShape = {
      fingerprint: p.fingerprint,
      errorClass: p.errorClass,
      errorKind: p.errorKind,
      stepName: p.steps[0] === undefined ? null : stepName(p.steps[0]),
    };
    const ranked = suggestionsFor(p, input.health, input.stepsWithoutTimeout)
      .map((d, order) => {
        const record = trackRecord(d.action, shape, evidence);
        return { order, suggestion: { ...d, record, recordText: record === null ? 'no record yet' : describeRecord(record) } };
      })
      .sort((a, b) => score(b.suggestion.record) - score(a.suggestion.record) || a.order - b.order)
      .map((r) => r.suggestion);
    return {
      fingerprint: p.fingerprint,
      errorClass: p.errorClass,
      errorKind: p.errorKind,
      workflows: p.workflows,
      steps: p.steps,
      count: p.count,
      trend: p.trend,
      exampleRunId: p.exampleRunId,
      suggestion: ranked[0]!,
      alternatives: ranked.slice(1),
      ...fixStatus(p, input.fixes ?? []),
    };
  });
  return [...out.filter((r) => r.status === 'regressed'), ...out.filter((r) => r.status !== 'regressed')];
}

/** The action a fix recorded without one is taken to be: the first suggestion for its failure's class and kind. */
export function defaultFixAction(shape: FailureShape): ActionId {
  const pattern: Pattern = {
    fingerprint: shape.fingerprint ?? '',
    fingerprintVersion: 0,
    errorClass: shape.errorClass,
    errorKind: shape.errorKind,
    errorName: null,
    count: 0,
    runs: 0,
    workflows: [],
    steps: shape.stepName === null ? [] : [shape.stepName],
    workers: [],
    models: [],
    firstSeen: 0,
    lastSeen: 0,
    trend: 'steady',
    rateLastHour: 0,
    ratePrev24h: 0,
    exampleMessage: '',
    exampleRunId: '',
  };
  return suggestionsFor(pattern)[0]!.action;
}
