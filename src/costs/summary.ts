// Totals of cost ledger entries by run, workflow, model or day (for `lifeline costs`).
import type { LedgerEntry } from '../store/ledger.js';

export type CostGrouping = 'run' | 'workflow' | 'model' | 'day';
export const COST_GROUPINGS: readonly CostGrouping[] = ['run', 'workflow', 'model', 'day'];

export interface CostGroup {
  key: string;
  /** Committed calls. */
  calls: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costMicros: number;
  /** Worst cases still reserved (not expired at `now`) against the caps. */
  reservedMicros: number;
}

function keyOf(e: LedgerEntry, by: CostGrouping): string {
  switch (by) {
    case 'run':
      return e.runId;
    case 'workflow':
      return e.workflow;
    case 'model':
      return `${e.provider}/${e.model}`;
    case 'day':
      return e.day;
  }
}

/** Groups in order of first appearance, and their total. Released and expired reservations count nowhere. */
export function summarizeCosts(entries: readonly LedgerEntry[], by: CostGrouping, now: number): { groups: CostGroup[]; total: CostGroup } {
  const groups = new Map<string, CostGroup>();
  const empty = (key: string): CostGroup => ({ key, calls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costMicros: 0, reservedMicros: 0 });
  const total = empty('total');
  for (const e of entries) {
    const live = e.state === 'reserved' && (e.expiresAt ?? 0) > now;
    if (e.state !== 'committed' && !live) continue;
    const key = keyOf(e, by);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = empty(key)));
    for (const t of [g, total]) {
      if (live) t.reservedMicros += e.reservedMicros;
      else {
        t.calls++;
        t.inputTokens += e.inputTokens;
        t.cachedInputTokens += e.cachedInputTokens;
        t.outputTokens += e.outputTokens;
        t.costMicros += e.costMicros;
      }
    }
  }
  return { groups: [...groups.values()], total };
}

/** Micro-dollars as USD with six decimals: "$0.012400". */
export function formatUsd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}$${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}
