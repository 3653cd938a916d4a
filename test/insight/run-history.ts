// Writes runs at chosen times through the Store API (created, claimed, finished), so insight
// tests control every run's creation and finish time on either backend.
import type { Store } from '../../src/store/store.js';

export interface PlannedRun {
  id: string;
  workflow: string;
  createdAt: number;
  /** Omitted: the run stays running (claimed, never finished). */
  finishedAt?: number;
  status?: 'completed' | 'failed' | 'cancelled';
}

export async function writeRuns(store: Store, runs: readonly PlannedRun[]): Promise<void> {
  for (const r of runs) {
    await store.createRun({ id: r.id, workflow: r.workflow, input: '{}', now: r.createdAt });
    const [claimed] = await store.claimRuns({
      workerId: 'w',
      host: 'h',
      pid: 1,
      now: r.createdAt,
      leaseMs: 86_400_000,
      limit: 1,
      workflows: [r.workflow],
      runId: r.id,
    });
    if (claimed?.lease == null) throw new Error(`run ${r.id} was not claimed`);
    if (r.finishedAt === undefined) continue;
    const status = r.status ?? 'completed';
    await store.finishRun({
      runId: r.id,
      token: claimed.lease.token,
      now: r.finishedAt,
      status,
      ...(status === 'completed' ? { output: 'null' } : status === 'failed' ? { error: { name: 'Error', message: 'boom', errorClass: 'logic' as const } } : {}),
    });
  }
}
