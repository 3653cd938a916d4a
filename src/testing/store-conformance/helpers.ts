// Builders shared by the Store conformance cases (and by the repo's backend-specific tests). Times are explicit epoch ms: no test
// reads the clock or sleeps.
import { expect } from 'vitest';
import type { ClaimArgs, CommitStepArgs, Store } from '../../store/store.js';
import type { RunRecord } from '../../store/types.js';

export const WF = 'conformance-wf';
export const T0 = 1_700_000_000_000;
export const LEASE_MS = 30_000;

/** The suite's current store; set in beforeEach by storeConformanceSuite. */
export type GetStore = () => Store;

export function claimArgs(over: Partial<ClaimArgs> = {}): ClaimArgs {
  return {
    workerId: 'worker-a',
    host: 'host-a',
    pid: 4242,
    now: T0,
    leaseMs: LEASE_MS,
    limit: 10,
    workflows: [WF],
    ...over,
  };
}

export async function createRun(
  store: Store,
  id: string,
  over: { workflow?: string; parentRunId?: string | null; now?: number; input?: string } = {},
): Promise<RunRecord> {
  const { run } = await store.createRun({
    id,
    workflow: over.workflow ?? WF,
    input: over.input ?? JSON.stringify({ id }),
    parentRunId: over.parentRunId ?? null,
    now: over.now ?? T0,
  });
  return run;
}

/** Claims exactly `runId` and returns it with its lease. */
export async function claim(store: Store, runId: string, over: Partial<ClaimArgs> = {}): Promise<RunRecord> {
  const runs = await store.claimRuns(claimArgs({ runId, ...over }));
  expect(runs.map((r) => r.id)).toEqual([runId]);
  const [run] = runs;
  if (run === undefined) throw new Error('unreachable');
  return run;
}

/** Creates and claims a run: the common starting point of fenced-write tests. */
export async function createClaimed(store: Store, id: string, over: { now?: number; parentRunId?: string } = {}) {
  await createRun(store, id, over);
  return claim(store, id, { now: over.now ?? T0 });
}

export function tokenOf(run: RunRecord): string {
  if (run.lease === null) throw new Error(`run ${run.id} has no lease`);
  return run.lease.token;
}

export function commitArgs(
  run: RunRecord,
  stepId: string,
  over: Partial<CommitStepArgs['step']> & { now?: number } = {},
  extra: Partial<Omit<CommitStepArgs, 'step'>> = {},
): CommitStepArgs {
  const now = over.now ?? T0 + 10;
  return {
    runId: run.id,
    token: tokenOf(run),
    now,
    step: {
      stepId,
      name: stepId.split('#')[0] ?? stepId,
      seq: 0,
      kind: 'step',
      status: 'completed',
      output: JSON.stringify({ from: stepId }),
      error: null,
      attempts: 1,
      startedAt: now - 5,
      completedAt: now,
      ...over,
    },
    ...extra,
  };
}

/** Awaits a promise expected to reject, returning the error for class and field checks. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
