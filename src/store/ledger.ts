// The cost ledger's records and arguments (Store methods under "cost ledger" in store.ts).
// Money is integer micro-dollars (1 USD = 1_000_000): sums in SQL stay exact.

/** reserved: a call's worst case held against the caps; committed: its real cost; released: given back. */
export type LedgerState = 'reserved' | 'committed' | 'released';

/** One model call of one attempt: a reservation, then its real cost, or a cost recorded directly. */
export interface LedgerEntry {
  id: number;
  runId: string;
  workflow: string;
  stepId: string;
  attempt: number;
  provider: string;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** The real cost once committed; 0 while reserved or after a release. */
  costMicros: number;
  /** The worst case held while reserved (kept after commit or release, for the record). */
  reservedMicros: number;
  state: LedgerState;
  /** When the call was reserved or recorded (epoch ms, the caller's clock). */
  at: number;
  /** A reservation not committed or released by then no longer counts against the caps. */
  expiresAt: number | null;
  /** The UTC day (YYYY-MM-DD) the per-workflow-per-day cap counts the entry in: the day of `at`. */
  day: string;
}

/** Who made the call: the run (and its workflow), the step and its attempt. */
export interface LedgerCall {
  runId: string;
  workflow: string;
  stepId: string;
  attempt: number;
  provider: string;
  model: string;
  now: number;
}

export interface ReserveCostArgs extends LedgerCall {
  /** The worst case of the call, priced. */
  micros: number;
  /** The reservation stops counting after this time (a crashed attempt's hold does not leak). */
  expiresAt: number;
  /** Cap of the run's committed + reserved micros; null: no cap. */
  runCapMicros: number | null;
  /** Cap of the workflow's committed + reserved micros in the UTC day of `now`; null: no cap. */
  workflowDayCapMicros: number | null;
}

/** Which cap refused a reservation, and the numbers it was refused on. */
export interface CapRefusal {
  cap: 'run' | 'workflow_day';
  capMicros: number;
  /** Committed + live reserved micros already counted against that cap. */
  usedMicros: number;
  requestedMicros: number;
}

export type ReserveCostResult = { ok: true; entry: LedgerEntry } | { ok: false; refusal: CapRefusal };

export interface CostUsage {
  inputTokens: number;
  /** Of inputTokens, how many were read from the provider's prompt cache (priced apart). */
  cachedInputTokens: number;
  outputTokens: number;
  costMicros: number;
}

export interface CommitCostArgs extends CostUsage {
  id: number;
  runId: string;
  now: number;
}

export interface RecordCostArgs extends LedgerCall, CostUsage {}

export interface LedgerFilter {
  runId?: string;
  workflow?: string;
  /** Entries at or after this time (epoch ms). */
  since?: number;
  /** Default 10000. */
  limit?: number;
}
