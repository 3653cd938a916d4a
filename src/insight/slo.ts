// SLO status from runs (issue 10 §4): error budget left over the SLO's period and multi-window,
// multi-burn-rate alerts as in the SRE workbook. Pure: the runs come from Store.listRunTimes.
//
// Which runs count (docs/insight.md, "SLOs and burn rates"):
// - success: a completed run is good, a failed one bad, at its finish time; cancelled runs and
//   runs not finished yet do not count (their outcome is not known).
// - latency: a run that completed within `within` of its creation is good; one that completed
//   later, or failed, is bad, at its finish time. A run not finished yet counts as bad from the
//   moment it became late (created + within), so a stuck run burns budget while it is stuck.
import type { SloAlertLevel } from '../store/insight-records.js';
import type { RunTime } from '../store/insight-records.js';
import type { Slo } from './slo-spec.js';

export type SloObjective = 'success' | 'latency';

/** The burn-rate windows of the SRE workbook's multi-window alerts. */
export const BURN_WINDOWS = { '5m': 300_000, '30m': 1_800_000, '1h': 3_600_000, '6h': 21_600_000, '3d': 259_200_000 } as const;
export type BurnWindow = keyof typeof BURN_WINDOWS;

/** Page when both windows of a pair burn faster than the factor; ticket likewise. */
export const PAGE_RULES: ReadonlyArray<{ long: BurnWindow; short: BurnWindow; factor: number }> = [
  { long: '1h', short: '5m', factor: 14.4 },
  { long: '6h', short: '30m', factor: 6 },
];
export const TICKET_RULES: ReadonlyArray<{ long: BurnWindow; short: BurnWindow; factor: number }> = [{ long: '3d', short: '6h', factor: 1 }];

export interface SloStatus {
  /** `workflow:objective`: the key its alert level is stored under. */
  key: string;
  workflow: string;
  objective: SloObjective;
  /** The promised fraction of good runs. */
  target: number;
  /** latency: the time a run must complete within. */
  withinMs: number | null;
  periodMs: number;
  /** Counted runs over the period. */
  good: number;
  bad: number;
  /** Bad runs the period may have: (1 - target) × counted runs. */
  budgetBad: number;
  /** Share of the budget left: 1 - bad / budgetBad (1 with no runs; below 0 when overspent). */
  budgetRemaining: number;
  /** Per window: bad/counted runs in it divided by (1 - target); 0 with no runs. */
  burnRates: Record<BurnWindow, number>;
  level: SloAlertLevel;
  /** Which rule decided the level, with its burn rates. */
  reason: string;
}

interface Counted {
  at: number;
  bad: boolean;
}

function countedRuns(runs: readonly RunTime[], objective: SloObjective, withinMs: number | null, now: number): Counted[] {
  const out: Counted[] = [];
  for (const run of runs) {
    if (run.status === 'cancelled') continue;
    const finished = run.status === 'completed' || run.status === 'failed';
    if (objective === 'success') {
      if (finished) out.push({ at: run.updatedAt, bad: run.status === 'failed' });
      continue;
    }
    const within = withinMs ?? 0;
    if (finished) out.push({ at: run.updatedAt, bad: run.status === 'failed' || run.updatedAt - run.createdAt > within });
    else if (now - run.createdAt > within) out.push({ at: run.createdAt + within, bad: true });
  }
  return out;
}

function ratioIn(counted: readonly Counted[], from: number, now: number): { good: number; bad: number } {
  let good = 0;
  let bad = 0;
  for (const c of counted) {
    if (c.at < from || c.at > now) continue;
    if (c.bad) bad++;
    else good++;
  }
  return { good, bad };
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The alert level of a set of burn rates, and the rule that decided it. */
export function alertLevel(burnRates: Record<BurnWindow, number>): { level: SloAlertLevel; reason: string } {
  const fired = (rules: typeof PAGE_RULES) => rules.find((r) => burnRates[r.long] > r.factor && burnRates[r.short] > r.factor);
  const describe = (r: (typeof PAGE_RULES)[number]) =>
    `burn rate ${fmt(burnRates[r.long])} over ${r.long} and ${fmt(burnRates[r.short])} over ${r.short}, both above ${r.factor}`;
  const page = fired(PAGE_RULES);
  if (page) return { level: 'paging', reason: describe(page) };
  const ticket = fired(TICKET_RULES);
  if (ticket) return { level: 'ticket', reason: describe(ticket) };
  return { level: 'ok', reason: `no burn-rate rule fired (1h ${fmt(burnRates['1h'])}, 6h ${fmt(burnRates['6h'])}, 3d ${fmt(burnRates['3d'])})` };
}

/** One objective's status at `now`. */
export function objectiveStatus(slo: Slo, objective: SloObjective, runs: readonly RunTime[], now: number): SloStatus {
  const target = objective === 'success' ? slo.success! : slo.latency!.target;
  const withinMs = objective === 'latency' ? slo.latency!.withinMs : null;
  const counted = countedRuns(
    runs.filter((r) => r.workflow === slo.workflow),
    objective,
    withinMs,
    now,
  );
  const allowed = 1 - target;
  const period = ratioIn(counted, now - slo.periodMs, now);
  const total = period.good + period.bad;
  const budgetBad = allowed * total;
  const burnRates = {} as Record<BurnWindow, number>;
  for (const [name, ms] of Object.entries(BURN_WINDOWS) as Array<[BurnWindow, number]>) {
    const w = ratioIn(counted, now - ms, now);
    const n = w.good + w.bad;
    burnRates[name] = n === 0 ? 0 : w.bad / n / allowed;
  }
  return {
    key: `${slo.workflow}:${objective}`,
    workflow: slo.workflow,
    objective,
    target,
    withinMs,
    periodMs: slo.periodMs,
    good: period.good,
    bad: period.bad,
    budgetBad,
    budgetRemaining: total === 0 ? 1 : 1 - period.bad / budgetBad,
    burnRates,
    ...alertLevel(burnRates),
  };
}

/** Every objective of the SLOs (success first, then latency). */
export function sloStatuses(slos: readonly Slo[], runs: readonly RunTime[], now: number): SloStatus[] {
  return slos.flatMap((slo) => [
    ...(slo.success !== null ? [objectiveStatus(slo, 'success', runs, now)] : []),
    ...(slo.latency !== null ? [objectiveStatus(slo, 'latency', runs, now)] : []),
  ]);
}

/** How far back the runs of these SLOs must be read: the longest period or burn window. */
export function sloLookbackMs(slos: readonly Slo[]): number {
  return Math.max(BURN_WINDOWS['3d'], ...slos.map((s) => s.periodMs));
}
