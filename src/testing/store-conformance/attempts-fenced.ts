// The attempt log around a fenced attempt start (issue 6 §1, §3): a start with token and leaseMs
// proves the lease and extends it like a heartbeat; a refused one writes nothing and leaves the
// lease alone; finishing or releasing a run ends the attempts still marked running.
import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../errors/store-errors.js';
import { RUN_MOVED_ON_MESSAGE } from '../../store/rows.js';
import { LEASE_MS, T0, claim, claimArgs, createClaimed, rejection, tokenOf, type GetStore } from './helpers.js';

const start = { stepId: 'a#0', stepName: 'a', attempt: 1, workerId: 'worker-a' };

export function fencedAttemptsConformance(getStore: GetStore): void {
  describe('fenced attempt start', () => {
    it('extends the lease from its own time, like a heartbeat', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const at = T0 + LEASE_MS - 1;
      await store.startAttempt({ ...start, runId: 'r1', token: tokenOf(run), leaseMs: LEASE_MS, startedAt: at });
      expect(await store.getRun('r1')).toMatchObject({ lease: { token: tokenOf(run), expiresAt: at + LEASE_MS } });
      // The claim lease would have lapsed here; the start's has not.
      expect(await store.claimRuns(claimArgs({ workerId: 'worker-b', now: T0 + LEASE_MS + 1 }))).toEqual([]);
      expect(await store.listAttempts('r1')).toMatchObject([{ stepId: 'a#0', attempt: 1, outcome: 'running', startedAt: at }]);
    });

    it('is refused once the run was taken over: no row, the new lease untouched', async () => {
      const store = getStore();
      const old = await createClaimed(store, 'r1');
      const fresh = await claim(store, 'r1', { now: T0 + LEASE_MS, workerId: 'worker-b' });
      const error = await rejection(store.startAttempt({ ...start, runId: 'r1', token: tokenOf(old), leaseMs: LEASE_MS * 10, startedAt: T0 + LEASE_MS + 1 }));
      expect(error).toBeInstanceOf(LeaseLostError);
      expect(error).toMatchObject({ runId: 'r1' });
      expect(await store.listAttempts('r1')).toEqual([]);
      expect(await store.getRun('r1')).toMatchObject({ lease: { token: tokenOf(fresh), expiresAt: T0 + 2 * LEASE_MS } });
    });

    it('gives each start of one attempt number its own verdict, also in the same turn (a stale holder and the new one)', async () => {
      const store = getStore();
      const stale = tokenOf(await createClaimed(store, 'r1'));
      const fresh = tokenOf(await claim(store, 'r1', { now: T0 + LEASE_MS, workerId: 'worker-b' }));
      const at = T0 + LEASE_MS + 1;
      const outcome = (p: Promise<void>) =>
        p.then(
          () => 'ok',
          (e: unknown) => (e instanceof LeaseLostError ? 'lease lost' : String(e)),
        );
      const newFirst = [
        outcome(store.startAttempt({ ...start, runId: 'r1', token: fresh, workerId: 'worker-b', leaseMs: LEASE_MS, startedAt: at })),
        outcome(store.startAttempt({ ...start, runId: 'r1', token: stale, leaseMs: LEASE_MS, startedAt: at })),
      ];
      expect(await Promise.all(newFirst)).toEqual(['ok', 'lease lost']);
      const staleFirst = [
        outcome(store.startAttempt({ ...start, attempt: 2, runId: 'r1', token: stale, leaseMs: LEASE_MS, startedAt: at + 1 })),
        outcome(store.startAttempt({ ...start, attempt: 2, runId: 'r1', token: fresh, workerId: 'worker-b', leaseMs: LEASE_MS, startedAt: at + 1 })),
      ];
      expect(await Promise.all(staleFirst)).toEqual(['lease lost', 'ok']);
      // Both of the new holder's starts are recorded, as the new holder's.
      expect((await store.listAttempts('r1')).map((a) => [a.attempt, a.workerId, a.outcome])).toEqual([
        [1, 'worker-b', 'running'],
        [2, 'worker-b', 'running'],
      ]);
    });

    it('records the renewal it makes: an attempt interrupted by a later takeover ends at the last fenced start', async () => {
      const store = getStore();
      const token = tokenOf(await createClaimed(store, 'r1'));
      await store.startAttempt({ ...start, runId: 'r1', token, leaseMs: LEASE_MS, startedAt: T0 + 5 });
      await store.startAttempt({ ...start, stepId: 'b#0', stepName: 'b', runId: 'r1', token, leaseMs: LEASE_MS, startedAt: T0 + 700 });
      await claim(store, 'r1', { now: T0 + 700 + LEASE_MS, workerId: 'worker-b' });
      expect((await store.listAttempts('r1')).map((a) => [a.stepId, a.outcome, a.endedAt])).toEqual([
        ['a#0', 'interrupted', T0 + 700],
        ['b#0', 'interrupted', T0 + 700],
      ]);
    });
  });

  describe('attempts left running when the run moves on', () => {
    it('finishRun ends them as interrupted', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.startAttempt({ ...start, runId: 'r1', token: tokenOf(run), leaseMs: LEASE_MS, startedAt: T0 + 1 });
      await store.finishRun({ runId: 'r1', token: tokenOf(run), now: T0 + 9, status: 'completed', output: '1' });
      expect(await store.listAttempts('r1')).toMatchObject([
        { stepId: 'a#0', attempt: 1, outcome: 'interrupted', endedAt: T0 + 9, durationMs: 8, errorClass: 'interrupted', errorMessage: RUN_MOVED_ON_MESSAGE },
      ]);
    });

    it('releaseRun ends them as interrupted; attempts that ended keep their outcome', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const token = tokenOf(run);
      await store.startAttempt({ ...start, runId: 'r1', token, leaseMs: LEASE_MS, startedAt: T0 + 1 });
      await store.endAttempt({ runId: 'r1', token, stepId: 'a#0', attempt: 1, endedAt: T0 + 2, outcome: 'failed', errorClass: 'transient', errorMessage: 'm' });
      await store.startAttempt({ ...start, runId: 'r1', token, leaseMs: LEASE_MS, attempt: 2, startedAt: T0 + 3 });
      await store.releaseRun({ runId: 'r1', token, now: T0 + 5, status: 'pending', wakeAt: null });
      expect((await store.listAttempts('r1')).map((a) => [a.attempt, a.outcome, a.endedAt])).toEqual([
        [1, 'failed', T0 + 2],
        [2, 'interrupted', T0 + 5],
      ]);
    });
  });
}
