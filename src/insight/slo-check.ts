// Evaluating SLOs against the store (issue 10 §4): each objective's status, its alert level
// stored (Store.setSloState) so a transition is reported once, by whichever evaluation saw it
// first, and published then as a typed `slo.paging` / `slo.ticket` / `slo.ok` event on
// Lifeline.events. The SLOs come from Lifeline.open({ slos }) or the caller.
import type { Lifeline } from '../engine/lifeline.js';
import type { LifelineEvent } from '../store/events.js';
import type { SloAlertLevel } from '../store/insight-records.js';
import { checkKnownKeys, checkObject, optionError } from '../options/option-check.js';
import { parseSlos, type Slo, type SloSpec } from './slo-spec.js';
import { sloLookbackMs, sloStatuses, type SloStatus } from './slo.js';

interface InsightDeps {
  slos: Slo[];
  emit: (event: LifelineEvent) => void;
}

const DEPS = new WeakMap<object, InsightDeps>();

/** Lifeline.open: the client's declared SLOs, and how this module publishes on its events. */
export function attachSlos(lifeline: object, deps: InsightDeps): void {
  DEPS.set(lifeline, deps);
}

/** The SLOs declared with Lifeline.open({ slos }) (empty when none). */
export function declaredSlos(lifeline: Lifeline): Slo[] {
  return DEPS.get(lifeline)?.slos ?? [];
}

export interface CheckSlosOptions {
  /** These SLOs instead of the ones declared with Lifeline.open({ slos }). */
  slos?: SloSpec[];
  /** Only this workflow's SLO. */
  workflow?: string;
}

/** An objective's status, with its stored alert level's history. */
export interface SloReportRow extends SloStatus {
  /** The level stored before this evaluation (null: first evaluation). */
  from: SloAlertLevel | null;
  /** This evaluation changed the level (and published the event). */
  changed: boolean;
  /** Since when the objective is at its level. */
  since: number;
}

export interface SloReport {
  at: number;
  rows: SloReportRow[];
  /** Some objective is paging: `lifeline insight slo` exits with EXIT.SLO_PAGING. */
  paging: boolean;
}

function checkOptions(options: unknown): { slos: Slo[] | undefined; workflow: string | undefined } {
  const o = checkObject(options, 'checkSlos');
  checkKnownKeys(o, 'checkSlos', ['slos', 'workflow']);
  if (o['workflow'] !== undefined && (typeof o['workflow'] !== 'string' || o['workflow'] === '')) {
    throw optionError('checkSlos.workflow', 'must be a non-empty workflow name');
  }
  return { slos: o['slos'] === undefined ? undefined : parseSlos(o['slos'], 'checkSlos.slos'), workflow: o['workflow'] as string | undefined };
}

/** Evaluates the SLOs now (the client's clock), records each objective's level and publishes its transitions. */
export async function checkSlos(lifeline: Lifeline, options: CheckSlosOptions = {}): Promise<SloReport> {
  return evaluateSlos(lifeline, checkOptions(options));
}

/** checkSlos with SLOs already parsed (the CLI reads them from a file). */
export async function evaluateSlos(lifeline: Lifeline, options: { slos?: Slo[] | undefined; workflow?: string | undefined }): Promise<SloReport> {
  const all = options.slos ?? declaredSlos(lifeline);
  const slos = options.workflow === undefined ? all : all.filter((s) => s.workflow === options.workflow);
  const now = lifeline.clock.now();
  const runs =
    slos.length === 0
      ? []
      : await lifeline.store.listRunTimes({ since: now - sloLookbackMs(slos), ...(slos.length === 1 ? { workflow: slos[0]!.workflow } : {}) });
  const rows: SloReportRow[] = [];
  for (const status of sloStatuses(slos, runs, now)) {
    const change = await lifeline.store.setSloState({ key: status.key, level: status.level, detail: status.reason, now });
    const from = change.previous?.level ?? null;
    rows.push({ ...status, from, changed: change.changed, since: change.current.since });
    if (change.changed) {
      DEPS.get(lifeline)?.emit({
        type: `slo.${status.level}`,
        data: {
          key: status.key,
          workflow: status.workflow,
          objective: status.objective,
          from,
          reason: status.reason,
          budgetRemaining: status.budgetRemaining,
          burnRates: { ...status.burnRates },
        },
        at: now,
      });
    }
  }
  return { at: now, rows, paging: rows.some((r) => r.level === 'paging') };
}
