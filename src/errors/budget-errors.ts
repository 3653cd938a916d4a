import { LifelineError } from './lifeline-error.js';

/** Which cap refused a reservation and its numbers (the store's CapRefusal, store/ledger.ts). */
interface Refusal {
  cap: 'run' | 'workflow_day';
  capMicros: number;
  usedMicros: number;
  requestedMicros: number;
}

const usd = (micros: number): string => `$${(micros / 1_000_000).toFixed(6).replace(/\.?0+$/, '')}`;

/**
 * A model call's worst case does not fit under a cost cap: refused before any token was spent.
 * Class `configuration`: retrying spends nothing new but cannot fit either; a cheaper model can
 * (see StepCosts.tryReserve).
 */
export class BudgetExceededError extends LifelineError {
  /** The classification's kind: a fallback chain can move on to a cheaper model for it (FallbackOptions.onKinds). */
  readonly kind = 'budget_exceeded';
  readonly cap: Refusal['cap'];
  readonly capMicros: number;
  readonly usedMicros: number;
  readonly requestedMicros: number;

  constructor(
    refusal: Refusal,
    readonly model: string,
  ) {
    const which = refusal.cap === 'run' ? 'budget.perRunUsd' : 'budget.perWorkflowPerDayUsd';
    super(
      'BUDGET_EXCEEDED',
      'configuration',
      `Cost cap ${which} (${usd(refusal.capMicros)}) would be exceeded by a call to ${model}: ${usd(refusal.usedMicros)} already spent or reserved, this call may cost up to ${usd(refusal.requestedMicros)}.`,
    );
    this.cap = refusal.cap;
    this.capMicros = refusal.capMicros;
    this.usedMicros = refusal.usedMicros;
    this.requestedMicros = refusal.requestedMicros;
  }
}

/** No price table entry matches the model at the call's time (and `pricing.onUnpriced` is "error"). */
export class UnpricedModelError extends LifelineError {
  constructor(
    readonly provider: string,
    readonly model: string,
    at: number,
  ) {
    super(
      'UNPRICED_MODEL',
      'configuration',
      `No price for model "${model}" of provider "${provider}" on ${new Date(at).toISOString().slice(0, 10)}: add an entry to Lifeline.open pricing.prices, or set pricing.onUnpriced to "zero" to record unpriced calls at no cost.`,
    );
  }
}

/** A commit of a ledger entry that is unknown, of another run or already committed. */
export class LedgerEntryError extends LifelineError {
  constructor(
    readonly entryId: number,
    readonly runId: string,
    reason: string,
  ) {
    super('LEDGER_ENTRY_REFUSED', 'logic', `Cost ledger entry ${entryId} of run ${runId} cannot be committed: ${reason}.`);
  }
}
