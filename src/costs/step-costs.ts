// `info.cost` in a step: prices model calls, reserves their worst case against the workflow's
// caps before the call, replaces the reservation by the real usage after, and records calls made
// without a cap. One handle per attempt; reservations it leaves open are released when the
// attempt ends (a crashed process's ones expire, or the step's next attempt releases them).
import { BudgetExceededError } from '../errors/budget-errors.js';
import { checkNumber, checkObject, checkString } from '../options/option-check.js';
import type { LedgerEntry } from '../store/ledger.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import type { ResolvedBudget } from './budget.js';
import { checkUsage, costMicros, type PriceTable, type TokenUsage } from './prices.js';

/** A model call before it is made: what it may cost at most. */
export interface CostCall {
  provider: string;
  model: string;
  /** Input tokens the call sends (all priced as uncached: the worst case). */
  estimatedInputTokens: number;
  /** The call's output token limit (max_tokens). */
  maxOutputTokens: number;
}

/** A call's real usage, with its provider and model, for `record`. */
export interface CallUsage extends TokenUsage {
  provider: string;
  model: string;
}

/** A worst case held against the caps until `commit` (the real usage) or `release` (no call made). */
export interface CostReservation {
  readonly id: number;
  readonly provider: string;
  readonly model: string;
  /** The worst case held, in micro-dollars. */
  readonly maxMicros: number;
  /** Replaces the reservation by the call's real usage, priced; returns the committed entry. */
  commit(usage: TokenUsage): Promise<LedgerEntry>;
  /** Gives the reservation back (the call was not made). Nothing happens if it was committed. */
  release(): Promise<void>;
}

/** tryReserve's answer: a reservation, or which cap refused (so the caller can try a cheaper model). */
export type ReserveAttempt = { ok: true; reservation: CostReservation } | { ok: false; reason: BudgetExceededError['cap']; error: BudgetExceededError };

export interface StepCosts {
  /** The call's worst case in micro-dollars (throws UnpricedModelError for an unpriced model). */
  worstCaseMicros(call: CostCall): number;
  /** Reserves the call's worst case; throws BudgetExceededError (class configuration, not retried) when a cap would be exceeded. */
  reserve(call: CostCall): Promise<CostReservation>;
  /** Like reserve, but a cap that would be exceeded is an answer, not an error: for fallback to a cheaper model. */
  tryReserve(call: CostCall): Promise<ReserveAttempt>;
  /** Records a call's real cost without a reservation (no cap is checked). */
  record(usage: CallUsage): Promise<LedgerEntry>;
}

export interface StepCostsDeps {
  store: Store;
  clock: Clock;
  prices: PriceTable;
  budget: ResolvedBudget;
  runId: string;
  workflow: string;
  stepId: string;
  attempt: number;
  /**
   * Told the tokens (input + output) of every call committed or recorded in the ledger: the engine
   * counts them as the attempt's reported usage for its token limits (so an LLM call reports once).
   */
  onUsage?: (tokens: number) => void;
  /**
   * Told every model call of the attempt: its provider and model when it is reserved or recorded
   * (costMicros 0 for a reservation), and its committed cost. The engine records the attempt's
   * provider, model and cost from it (AttemptRecord.tags, costMicros).
   */
  onCall?: (call: { provider: string; model: string; costMicros: number }) => void;
}

function checkCall(call: unknown, where: string): CostCall {
  const c = checkObject(call, where);
  checkString(c['provider'], `${where}.provider`, 100);
  checkString(c['model'], `${where}.model`, 200);
  checkNumber(c['estimatedInputTokens'], `${where}.estimatedInputTokens`, { min: 0, max: 1e12, integer: true });
  checkNumber(c['maxOutputTokens'], `${where}.maxOutputTokens`, { min: 0, max: 1e12, integer: true });
  return c as unknown as CostCall;
}

/** The handle of one attempt, and `settle` for the engine: releases what the attempt left reserved. */
export function createStepCosts(deps: StepCostsDeps): { costs: StepCosts; settle: () => Promise<void> } {
  const { store, clock, prices, budget, runId, workflow, stepId, attempt, onUsage, onCall } = deps;
  const open = new Map<number, CostReservation>();

  const worstCaseMicros = (call: CostCall): number => {
    const c = checkCall(call, 'cost.reserve');
    const price = prices.priceOf(c.provider, c.model, clock.now());
    return costMicros(price, { inputTokens: c.estimatedInputTokens, cachedInputTokens: 0, outputTokens: c.maxOutputTokens }, 'up');
  };

  const reservation = (entry: LedgerEntry): CostReservation => {
    const handle: CostReservation = {
      id: entry.id,
      provider: entry.provider,
      model: entry.model,
      maxMicros: entry.reservedMicros,
      commit: async (usage) => {
        const u = checkUsage(usage, 'reservation.commit(usage)');
        // Priced as at the reservation: the entry in force when the call was made.
        const cost = costMicros(prices.priceOf(entry.provider, entry.model, entry.at), u, 'nearest');
        const committed = await store.commitCost({ id: entry.id, runId, now: clock.now(), ...u, costMicros: cost });
        open.delete(entry.id);
        onUsage?.(u.inputTokens + u.outputTokens);
        onCall?.({ provider: entry.provider, model: entry.model, costMicros: committed.costMicros });
        return committed;
      },
      release: async () => {
        open.delete(entry.id);
        await store.releaseCost({ id: entry.id, runId, now: clock.now() });
      },
    };
    open.set(entry.id, handle);
    onCall?.({ provider: entry.provider, model: entry.model, costMicros: 0 });
    return handle;
  };

  const tryReserve = async (call: CostCall): Promise<ReserveAttempt> => {
    const micros = worstCaseMicros(call);
    const now = clock.now();
    const result = await store.reserveCost({
      runId,
      workflow,
      stepId,
      attempt,
      provider: call.provider,
      model: call.model,
      now,
      micros,
      expiresAt: now + budget.reservationTtlMs,
      runCapMicros: budget.runCapMicros,
      workflowDayCapMicros: budget.workflowDayCapMicros,
    });
    if (result.ok) return { ok: true, reservation: reservation(result.entry) };
    const error = new BudgetExceededError(result.refusal, call.model);
    return { ok: false, reason: error.cap, error };
  };

  const costs: StepCosts = {
    worstCaseMicros,
    tryReserve,
    reserve: async (call) => {
      const answer = await tryReserve(call);
      if (!answer.ok) throw answer.error;
      return answer.reservation;
    },
    record: async (usage) => {
      const u = checkUsage(
        { inputTokens: usage?.inputTokens, cachedInputTokens: usage?.cachedInputTokens, outputTokens: usage?.outputTokens },
        'cost.record(usage)',
      );
      checkString(usage.provider, 'cost.record(usage).provider', 100);
      checkString(usage.model, 'cost.record(usage).model', 200);
      const now = clock.now();
      const cost = costMicros(prices.priceOf(usage.provider, usage.model, now), u, 'nearest');
      const recorded = await store.recordCost({ runId, workflow, stepId, attempt, provider: usage.provider, model: usage.model, now, ...u, costMicros: cost });
      onUsage?.(u.inputTokens + u.outputTokens);
      onCall?.({ provider: usage.provider, model: usage.model, costMicros: recorded.costMicros });
      return recorded;
    },
  };

  const settle = async (): Promise<void> => {
    const left = [...open.values()];
    open.clear();
    await Promise.all(left.map((r) => store.releaseCost({ id: r.id, runId, now: clock.now() }).catch(() => false)));
  };
  return { costs, settle };
}
