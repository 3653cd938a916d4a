import type { Store } from '../store/store.js';
import type { AttemptRecord, StepRecord } from '../store/types.js';
import type { ChainRow } from './fallback-chain.js';
import type { PreviousFailure } from '../workflow/context.js';

export interface RunHistory {
  bySeq: Map<number, StepRecord>;
  byId: Map<string, StepRecord>;
  /** Per step: the highest attempt number recorded, and the failures that count against its retry budget. */
  priorAttempts: Map<string, PriorAttempts>;
}

/** A step's attempts recorded before this claim. */
export interface PriorAttempts {
  total: number;
  failed: number;
  /** The rows that ran a fallback alternative and count (see `failed`): where a chain resumes. */
  chain: ChainRow[];
  /** The failures that count (see `failed`), in attempt order, as StepInfo.previousFailures hands them on. */
  failures: PreviousFailure[];
}

/** Events after which a step's earlier failures no longer count against its retry budget. */
const BUDGET_RESETS: ReadonlySet<string> = new Set(['run.retried', 'run.recovering', 'run.resolved', 'run.rewound']);

const isFailure = (a: { outcome: string }) => a.outcome === 'failed' || a.outcome === 'timeout';

/**
 * What a resumed run replays from: its committed step records and its attempt counts. Attempt
 * numbers continue across crashes, but only failures count against maxAttempts (an interrupted
 * attempt does not), and a manual retry (`lifeline retry`) gives the failed step a fresh budget:
 * failures before the run's last `run.retried` event stay recorded but no longer count. So do a
 * recovery decision (`run.recovering`: resume re-runs the failed step, restart every step) and
 * the resolution of an escalation (`run.resolved`) and a rewind (`run.rewound`: the steps from
 * its target on run again as a new generation, each with a fresh budget).
 */
export async function loadRunHistory(store: Store, runId: string, call: <T>(fn: () => Promise<T>) => Promise<T>): Promise<RunHistory> {
  const [steps, attempts] = await call(() => Promise.all([store.getSteps(runId), store.listAttempts(runId)]));
  const history: RunHistory = { bySeq: new Map(), byId: new Map(), priorAttempts: new Map() };
  for (const step of steps) {
    history.bySeq.set(step.seq, step);
    history.byId.set(step.stepId, step);
  }
  const budgetFrom = attempts.some(isFailure) ? await lastRetriedAt(store, runId, call) : -Infinity;
  for (const a of attempts) {
    const prior = history.priorAttempts.get(a.stepId) ?? { total: 0, failed: 0, chain: [], failures: [] };
    prior.total = Math.max(prior.total, a.attempt);
    if (isFailure(a) && a.startedAt >= budgetFrom) {
      prior.failed++;
      prior.failures.push(previousFailure(a));
    }
    if (a.alternative !== null && a.startedAt >= budgetFrom) prior.chain.push({ alternative: a.alternative, movedOn: a.movedOn, outcome: a.outcome });
    history.priorAttempts.set(a.stepId, prior);
  }
  return history;
}

function previousFailure(a: AttemptRecord): PreviousFailure {
  return { attempt: a.attempt, errorClass: a.errorClass ?? 'unknown', message: a.errorMessage ?? '', alternative: a.alternative };
}

async function lastRetriedAt(store: Store, runId: string, call: <T>(fn: () => Promise<T>) => Promise<T>): Promise<number> {
  const events = await call(() => store.listEvents({ runId, limit: 1_000_000 }));
  return events.reduce((latest, e) => (BUDGET_RESETS.has(e.type) ? Math.max(latest, e.at) : latest), -Infinity);
}

/**
 * Whether the run was woken (`wake()`, `lifeline resume`) at or after `since`: a durable sleep
 * that began before such a wake is over, whatever wake time it recorded.
 */
export async function wokenSince(store: Store, runId: string, since: number): Promise<boolean> {
  const events = await store.listEvents({ runId, limit: 1_000_000 });
  return events.some((e) => e.type === 'run.woken' && e.at >= since);
}
