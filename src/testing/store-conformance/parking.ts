// Poison runs: claimsWithoutProgress, parking at the claim's limit, resuming with wakeRun.
import { describe, expect, it } from 'vitest';
import { LEASE_MS, T0, claim, claimArgs, commitArgs, createRun, tokenOf, type GetStore } from './helpers.js';

/** Claims `runId` again after its lease lapsed: one more claim without progress. */
async function reclaim(getStore: GetStore, runId: string, n: number, max?: number) {
  const now = T0 + n * LEASE_MS;
  return getStore().claimRuns(claimArgs({ runId, now, ...(max === undefined ? {} : { maxClaimsWithoutProgress: max }) }));
}

export function parkingConformance(getStore: GetStore): void {
  describe('poison runs (claimsWithoutProgress, parking)', () => {
    it('counts claims without progress and parks the run at the limit, with its reason and event', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      for (let n = 0; n < 3; n++) {
        const [run] = await reclaim(getStore, 'r1', n, 3);
        expect(run).toMatchObject({ status: 'running', claimCount: n + 1, claimsWithoutProgress: n + 1 });
        await store.startAttempt({
          runId: 'r1',
          token: tokenOf(run!),
          stepId: 'a#0',
          stepName: 'a',
          attempt: n + 1,
          startedAt: T0 + n * LEASE_MS,
          workerId: 'worker-a',
        });
      }
      const [parked] = await reclaim(getStore, 'r1', 3, 3);
      expect(await store.getRun('r1')).toEqual(parked);
      expect(parked).toMatchObject({ status: 'parked', lease: null, claimCount: 3, claimsWithoutProgress: 3, updatedAt: T0 + 3 * LEASE_MS });
      expect(parked?.error).toMatchObject({ name: 'RunParkedError', errorClass: 'interrupted' });
      expect(parked?.error?.message).toContain('claimed 3 times in a row without committing a step');
      expect((await store.listAttempts('r1')).map((a) => a.outcome)).toEqual(['interrupted', 'interrupted', 'interrupted']);
      const events = await store.listEvents({ runId: 'r1' });
      expect(events.map((e) => [e.type, e.data])).toContainEqual(['run.parked', '{"claims":3}']);
      // A parked run is never claimed, with or without a limit, and is listed by its status.
      expect(await reclaim(getStore, 'r1', 9)).toEqual([]);
      expect((await store.listRuns({ status: 'parked' })).map((r) => r.id)).toEqual(['r1']);
    });

    it('a committed step resets the count; a claim without a limit never parks', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      await reclaim(getStore, 'r1', 0, 2);
      const [second] = await reclaim(getStore, 'r1', 1, 2);
      expect(second?.claimsWithoutProgress).toBe(2);
      await store.commitStep(commitArgs(second!, 'a#0', { now: T0 + LEASE_MS + 1 }));
      expect((await store.getRun('r1'))?.claimsWithoutProgress).toBe(0);
      const [third] = await reclaim(getStore, 'r1', 2, 2);
      expect(third).toMatchObject({ status: 'running', claimsWithoutProgress: 1 });
      for (let n = 3; n < 8; n++) expect((await reclaim(getStore, 'r1', n)).length).toBe(1);
      expect((await store.getRun('r1'))?.claimsWithoutProgress).toBe(6);
    });

    it('a give-back to pending (shutdown) does not count the claim; a suspension keeps it', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      const run = await claim(store, 'r1', { maxClaimsWithoutProgress: 1 });
      await store.releaseRun({ runId: 'r1', token: tokenOf(run), now: T0 + 1, status: 'pending', wakeAt: null });
      expect((await store.getRun('r1'))?.claimsWithoutProgress).toBe(0);
      const again = await claim(store, 'r1', { now: T0 + 2, maxClaimsWithoutProgress: 1 });
      await store.releaseRun({ runId: 'r1', token: tokenOf(again), now: T0 + 3, status: 'sleeping', wakeAt: T0 + 4 });
      const parked = await store.claimRuns(claimArgs({ now: T0 + 4, maxClaimsWithoutProgress: 1 }));
      expect(parked.map((r) => [r.id, r.status])).toEqual([['r1', 'parked']]);
    });

    it('a release that ends in waiting does not count the claim; one already due (to pending) does', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      let held = await claim(store, 'r1', { maxClaimsWithoutProgress: 1 });
      // Woken again and again by signals of another name: each claim finds nothing and waits again.
      for (let i = 0; i < 3; i++) {
        const t = T0 + 10 * (i + 1);
        await store.releaseRun({ runId: 'r1', token: tokenOf(held), now: t, status: 'waiting', wakeAt: null, wakeOn: { signalNames: ['approve'] } });
        expect(await store.getRun('r1')).toMatchObject({ status: 'waiting', claimsWithoutProgress: 0 });
        await store.sendSignal({ runId: 'r1', name: `other-${i}`, payload: 'null', now: t + 1 });
        held = await claim(store, 'r1', { now: t + 2, maxClaimsWithoutProgress: 1 });
        expect(held.status).toBe('running');
      }
      // Its own signal is there but the release does not consume it: due at once, and the claim counts.
      await store.sendSignal({ runId: 'r1', name: 'approve', payload: 'null', now: T0 + 100 });
      await store.releaseRun({ runId: 'r1', token: tokenOf(held), now: T0 + 101, status: 'waiting', wakeAt: null, wakeOn: { signalNames: ['approve'] } });
      expect(await store.getRun('r1')).toMatchObject({ status: 'pending', claimsWithoutProgress: 1 });
      const parked = await store.claimRuns(claimArgs({ now: T0 + 102, maxClaimsWithoutProgress: 1 }));
      expect(parked.map((r) => [r.id, r.status])).toEqual([['r1', 'parked']]);
    });

    it('a deferred release (a step gate said "not now") sleeps the run without counting the claim', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      let held = await claim(store, 'r1', { maxClaimsWithoutProgress: 1 });
      for (let i = 0; i < 3; i++) {
        const t = T0 + 10 * (i + 1);
        await store.releaseRun({ runId: 'r1', token: tokenOf(held), now: t, status: 'sleeping', wakeAt: t + 5, deferred: true });
        expect(await store.getRun('r1')).toMatchObject({ status: 'sleeping', wakeAt: t + 5, claimsWithoutProgress: 0, lease: null });
        held = await claim(store, 'r1', { now: t + 5, maxClaimsWithoutProgress: 1 });
        expect(held.status).toBe('running');
      }
    });

    it('wakeRun resumes a parked run: pending, error cleared, count 0, run.resumed event', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      await reclaim(getStore, 'r1', 0, 1);
      await reclaim(getStore, 'r1', 1, 1);
      const resumed = await store.wakeRun('r1', T0 + 5 * LEASE_MS);
      expect(resumed).toMatchObject({ status: 'pending', error: null, claimsWithoutProgress: 0, lease: null, updatedAt: T0 + 5 * LEASE_MS });
      expect((await store.listEvents({ runId: 'r1' })).map((e) => [e.type, e.data])).toContainEqual(['run.resumed', '{"from":"parked"}']);
      const [claimed] = await reclaim(getStore, 'r1', 6, 1);
      expect(claimed).toMatchObject({ status: 'running', claimsWithoutProgress: 1, claimCount: 2 });
    });

    it('requestCancel cancels a parked run at once', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      await reclaim(getStore, 'r1', 0, 1);
      await reclaim(getStore, 'r1', 1, 1);
      expect((await store.requestCancel('r1', T0 + 2 * LEASE_MS))?.status).toBe('cancelled');
    });
  });
}
