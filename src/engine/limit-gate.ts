// The step gate of shared limits (Lifeline.open `limits`, step options `limits` and
// `estimatedTokens`): before every attempt it acquires, in one store operation, a concurrency slot
// of every key that has one, a call and the token estimate of every rate limit and, for a retry,
// room in every retry budget. No room: the step is deferred until room is expected (the run
// sleeps, holding no worker slot). Budget spent: the attempt fails for good with
// RetryBudgetExhaustedError. While the attempt runs its slots are renewed (they are leases: a dead
// worker's slot frees itself); when it ends they are freed, the token reservation is reconciled
// with the reported usage, and a success or a Retry-After wait is counted for the budgets.
import type { Store } from '../store/store.js';
import type { LifelineEvent } from '../store/events.js';
import type { ReleaseLimitsArgs } from '../store/limits.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { InvalidOptionsError } from '../errors/options-error.js';
import { RetryBudgetExhaustedError } from '../errors/retry-budget-error.js';
import { resolveLimit, type LimitsConfig, type ResolvedLimit } from '../options/limit-options.js';
import type { Admission, GateOutcome, GateRequest, StepGate } from './step-gates.js';

const ADMITTED: Admission = Object.freeze({ admitted: true });

export class LimitGate implements StepGate {
  readonly name = 'limits';

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: LimitsConfig,
    private readonly emit: (event: LifelineEvent) => void,
  ) {}

  async admit(request: GateRequest): Promise<Admission> {
    const keys = request.options.limits;
    if (keys === undefined || keys.length === 0) return ADMITTED;
    const limits = [...new Set(keys)].map((key) => resolveLimit(this.config, key, request.stepName));
    const estimatedTokens = request.options.estimatedTokens ?? 0;
    for (const { spec } of limits) {
      if (spec.tokens !== undefined && estimatedTokens > spec.tokens) {
        throw new InvalidOptionsError(
          `Invalid option step "${request.stepName}".estimatedTokens: must be at most the tokensPerMinute of limit "${spec.key}" (${spec.tokens}) (got ${estimatedTokens})`,
        );
      }
    }
    const holder = `${request.runId}/${request.stepId}/${request.attempt}`;
    const leaseMs = Math.max(...limits.map((l) => l.slotLeaseMs));
    const grant = await this.store.acquireLimits({
      holder,
      now: request.now,
      leaseMs,
      limits: limits.map((l) => l.spec),
      estimatedTokens,
      retry: request.attempt > 1,
    });
    if (!grant.granted) {
      if (grant.kind === 'retry_budget') {
        this.emit({
          runId: request.runId,
          type: 'limit.retry_budget_exhausted',
          data: { stepId: request.stepId, key: grant.key, reason: grant.reason },
          at: request.now,
        });
        throw new RetryBudgetExhaustedError(grant.key, grant.reason);
      }
      // A slot frees when a call ends, usually long before its lease would lapse: ask again soon.
      const retryAt = grant.kind === 'concurrency' ? Math.min(grant.retryAt, request.now + slotRetryMs(limits, grant.key)) : grant.retryAt;
      this.emit({
        runId: request.runId,
        type: 'limit.throttled',
        data: { stepId: request.stepId, key: grant.key, limit: grant.kind, retryAt },
        at: request.now,
      });
      return { admitted: false, gate: `limit:${grant.key}`, reason: grant.reason, retryAt };
    }
    const needsRelease = limits.some(
      (l) => l.spec.concurrency !== undefined || l.spec.retryBudget !== undefined || (l.spec.tokens !== undefined && estimatedTokens > 0),
    );
    if (!needsRelease) return ADMITTED;
    const renewal = limits.some((l) => l.spec.concurrency !== undefined) ? this.renewEvery(holder, leaseMs) : undefined;
    return {
      admitted: true,
      settle: (outcome) => {
        renewal?.cancel();
        return this.store.releaseLimits(releaseArgs(holder, this.clock.now(), limits, estimatedTokens, outcome));
      },
    };
  }

  /** Renews the holder's slots a third of their lease at a time while the attempt runs. */
  private renewEvery(holder: string, leaseMs: number): TimerHandle {
    const every = Math.max(1, Math.floor(leaseMs / 3));
    let timer: TimerHandle | undefined;
    let stopped = false;
    const tick = (): void => {
      // A failed renewal is retried on the next tick; a slot that lapsed anyway only lets one more call in.
      void this.store.renewLimitSlots({ holder, expiresAt: this.clock.now() + leaseMs }).catch(() => {});
      if (!stopped) schedule();
    };
    const schedule = (): void => {
      timer = this.clock.setTimer(every, tick);
      timer.setRef?.(false);
    };
    schedule();
    return {
      cancel: () => {
        stopped = true;
        timer?.cancel();
      },
    };
  }
}

function slotRetryMs(limits: readonly ResolvedLimit[], key: string): number {
  return limits.find((l) => l.spec.key === key)?.slotRetryMs ?? 1000;
}

/** What the store does when the attempt ended: free slots, reconcile tokens, count for the budgets. */
function releaseArgs(holder: string, now: number, limits: readonly ResolvedLimit[], estimatedTokens: number, outcome: GateOutcome): ReleaseLimitsArgs {
  const used = outcome.kind === 'abandoned' ? undefined : outcome.usage?.tokens;
  const retryWaitMs = outcome.kind === 'failed' ? outcome.classification.retryAfterMs : undefined;
  return {
    holder,
    now,
    keys: limits.map(({ spec }) => ({
      key: spec.key,
      // Without a reported usage the estimate stands (the call may have used it).
      ...(spec.tokens !== undefined && used !== undefined ? { tokensBack: estimatedTokens - used } : {}),
      ...(spec.retryBudget !== undefined && outcome.kind === 'succeeded' ? { success: true } : {}),
      ...(spec.retryBudget !== undefined && retryWaitMs !== undefined ? { retryWaitMs } : {}),
    })),
  };
}
