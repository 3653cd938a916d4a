// The step cache in the attempt loop (StepOptions.cache; store side: src/store/cache.ts). Before
// each attempt of a cached step the key is claimed: a stored result is a hit (the step commits
// it with a `cached` attempt, the body never runs); another run's live lease means wait (the step
// is deferred like a gate's "not now", re-asking after a short poll or when that lease expires);
// otherwise this step holds the key's lease, renewed while its body runs, and when the step
// completes its result is stored for the others. A failure stores nothing and frees the lease.
import { LeaseLostError } from '../errors/store-errors.js';
import { resolveStepCache, type ResolvedStepCache } from '../options/cache-options.js';
import type { CacheClaim } from '../store/cache.js';
import { fromJson } from '../store/serialize.js';
import type { TimerHandle } from '../time/clock.js';
import type { StepOptions } from '../workflow/context.js';
import type { AttemptHost } from './attempt-host.js';
import { commitStepRecord } from './commit-step-record.js';
import type { Admission } from './step-gates.js';
import { redactMessage } from './stored-error.js';

/** How often a run waiting for another run's computation asks again (the wait is also cut short when that lease expires). */
export const CACHE_POLL_MS = 500;

/** A cached step's plan for one claim of its run, with what this claim holds. */
export interface StepCache extends ResolvedStepCache {
  stepName: string;
  /** `<runId>:<stepId>`: the same step of the same run renews its own lease (after a crash too). */
  holder: string;
  /** Whether this claim took the key's lease (it must then store the result or give the lease up). */
  held: boolean;
  /** The completed result, set when the body succeeded. */
  output?: string;
}

export function planStepCache(host: AttemptHost, stepId: string, stepName: string, options: StepOptions): StepCache | null {
  if (options.cache === undefined) return null;
  return { ...resolveStepCache(options.cache, host.workflow.name, stepName), stepName, holder: `${host.runId}:${stepId}`, held: false };
}

export type CacheAnswer =
  { kind: 'hit'; claim: Extract<CacheClaim, { kind: 'hit' }> } | { kind: 'compute' } | { kind: 'wait'; refusal: Extract<Admission, { admitted: false }> };

/** Claims the key before an attempt. A store failure here computes without the cache (reported): the step must not fail for a bookkeeping table. */
export async function askCache(host: AttemptHost, cache: StepCache): Promise<CacheAnswer> {
  const now = host.deps.clock.now();
  let claim: CacheClaim;
  try {
    claim = await host.deps.store.claimCacheEntry({
      key: cache.key,
      workflow: host.workflow.name,
      stepName: cache.stepName,
      version: cache.version,
      holder: cache.holder,
      now,
      leaseMs: cache.leaseMs,
    });
  } catch (error) {
    reportFailure(host, error);
    return { kind: 'compute' };
  }
  if (claim.kind === 'hit') return { kind: 'hit', claim };
  if (claim.kind === 'compute') {
    cache.held = true;
    return { kind: 'compute' };
  }
  cache.held = false;
  const holderRun = claim.holder.slice(0, claim.holder.lastIndexOf(':'));
  return {
    kind: 'wait',
    refusal: {
      admitted: false,
      gate: 'cache',
      reason: `step cache key ${cache.key.slice(0, 12)} is being computed by run ${holderRun}`,
      retryAt: Math.min(claim.leaseExpiresAt, now + CACHE_POLL_MS),
    },
  };
}

/** Renews the key's lease while the body runs (every third of the lease); returns the stop. */
export function renewWhileRunning(host: AttemptHost, cache: StepCache): () => void {
  if (!cache.held) return () => {};
  const every = Math.max(1, Math.floor(cache.leaseMs / 3));
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    void host.deps.store
      .claimCacheEntry({
        key: cache.key,
        workflow: host.workflow.name,
        stepName: cache.stepName,
        version: cache.version,
        holder: cache.holder,
        now: host.deps.clock.now(),
        leaseMs: cache.leaseMs,
      })
      .catch((error: unknown) => reportFailure(host, error));
    schedule();
  };
  const schedule = () => {
    timer = host.deps.clock.setTimer(every, tick);
    timer.setRef?.(false);
  };
  schedule();
  return () => {
    stopped = true;
    timer?.cancel();
  };
}

/** After the step: the result is stored for the other runs, or the lease is given up (failure, parked). Never throws. */
export async function settleCache(host: AttemptHost, cache: StepCache, completed: boolean): Promise<void> {
  if (!cache.held) return;
  cache.held = false;
  const now = host.deps.clock.now();
  const value = completed && cache.output !== undefined ? { output: cache.output, sourceRunId: host.runId, expiresAt: now + cache.ttlMs } : undefined;
  try {
    await host.deps.store.settleCacheEntry({ key: cache.key, holder: cache.holder, now, ...(value === undefined ? {} : { value }) });
  } catch (error) {
    reportFailure(host, error);
  }
}

/** A hit: the step commits the stored result with a `cached` attempt and a `step.cached` event; the body never runs. */
export async function commitCached(
  host: AttemptHost,
  step: { stepId: string; name: string; seq: number; startedAt: number },
  attempt: number,
  claim: Extract<CacheClaim, { kind: 'hit' }>,
  cache: StepCache,
): Promise<{ committed: true; value: unknown } | { committed: false }> {
  const { stepId, name, seq, startedAt } = step;
  const now = host.deps.clock.now();
  const event = host.event('step.cached', { stepId, attempt, sourceRunId: claim.sourceRunId, key: cache.key, computedAt: claim.createdAt });
  const committed = await commitStepRecord(
    host,
    {
      now,
      step: { stepId, name, seq, kind: 'step', status: 'completed', output: claim.output, error: null, attempts: attempt, startedAt, completedAt: now },
      attempt: { attempt, endedAt: now, outcome: 'cached' },
    },
    [event],
    true,
  );
  return committed ? { committed: true, value: fromJson(claim.output) } : { committed: false };
}

function reportFailure(host: AttemptHost, error: unknown): void {
  if (error instanceof LeaseLostError) return;
  const message = error instanceof Error ? error.message : String(error);
  host.deps.emit(host.event('store.soft_write_failed', { message: redactMessage(`step cache: ${message}`) }));
}
