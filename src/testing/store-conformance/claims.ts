// claimRuns, heartbeat, breakLease, listLeasesOnHost.
import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../errors/store-errors.js';
import { LEASE_MS, T0, WF, claim, claimArgs, createClaimed, createRun, rejection, tokenOf, type GetStore } from './helpers.js';

export function claimsConformance(getStore: GetStore): void {
  describe('claimRuns', () => {
    it('claims a pending run: running, new lease, claimCount 1', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      const [run] = await store.claimRuns(claimArgs({ now: T0 + 1 }));
      expect(run).toMatchObject({ id: 'r1', status: 'running', claimCount: 1, updatedAt: T0 + 1 });
      expect(run?.lease).toMatchObject({ workerId: 'worker-a', host: 'host-a', pid: 4242, expiresAt: T0 + 1 + LEASE_MS });
      expect(typeof run?.lease?.token).toBe('string');
      expect(await store.getRun('r1')).toEqual(run);
    });

    it('claims due sleepers and waiters, but not early ones nor waiters without wakeAt', async () => {
      const store = getStore();
      for (const id of ['sleep', 'wait', 'wait-forever', 'sleep-later']) await createRun(store, id);
      const runs = await store.claimRuns(claimArgs());
      const token = (id: string) => tokenOf(runs.find((r) => r.id === id)!);
      const release = (runId: string, status: 'sleeping' | 'waiting', wakeAt: number | null) =>
        store.releaseRun({ runId, token: token(runId), now: T0 + 1, status, wakeAt });
      await release('sleep', 'sleeping', T0 + 100);
      await release('wait', 'waiting', T0 + 100);
      await release('wait-forever', 'waiting', null);
      await release('sleep-later', 'sleeping', T0 + 200);

      expect(await store.claimRuns(claimArgs({ now: T0 + 99 }))).toEqual([]);
      const due = await store.claimRuns(claimArgs({ now: T0 + 100 }));
      expect(due.map((r) => r.id).sort()).toEqual(['sleep', 'wait']);
      expect(due.every((r) => r.status === 'running' && r.claimCount === 2)).toBe(true);
    });

    it('takes over an expired lease with a new token, never a live one', async () => {
      const store = getStore();
      const first = await createClaimed(store, 'r1');
      expect(await store.claimRuns(claimArgs({ now: T0 + LEASE_MS - 1, workerId: 'worker-b' }))).toEqual([]);
      const [second] = await store.claimRuns(claimArgs({ now: T0 + LEASE_MS, workerId: 'worker-b' }));
      expect(second?.claimCount).toBe(2);
      expect(second?.lease?.workerId).toBe('worker-b');
      expect(second?.lease?.token).not.toBe(tokenOf(first));
    });

    it('only claims the given workflows, oldest first, up to limit', async () => {
      const store = getStore();
      await createRun(store, 'other', { workflow: 'other-wf', now: T0 });
      for (let i = 0; i < 5; i++) await createRun(store, `r${i}`, { now: T0 + 10 - i });
      const claimed = await store.claimRuns(claimArgs({ limit: 3 }));
      expect(claimed.map((r) => r.id)).toEqual(['r4', 'r3', 'r2']);
      expect(await store.claimRuns(claimArgs({ limit: 0 }))).toEqual([]);
      const both = await store.claimRuns(claimArgs({ workflows: ['other-wf', WF] }));
      expect(both.map((r) => r.id).sort()).toEqual(['other', 'r0', 'r1']);
    });

    it('with runId considers only that run', async () => {
      const store = getStore();
      await createRun(store, 'a', { now: T0 });
      await createRun(store, 'b', { now: T0 + 1 });
      expect((await store.claimRuns(claimArgs({ runId: 'b' }))).map((r) => r.id)).toEqual(['b']);
      expect(await store.claimRuns(claimArgs({ runId: 'b' }))).toEqual([]);
      expect(await store.claimRuns(claimArgs({ runId: 'missing' }))).toEqual([]);
      expect((await store.getRun('a'))?.status).toBe('pending');
    });

    it('concurrent claims never hand out the same run', async () => {
      const store = getStore();
      for (let i = 0; i < 10; i++) await createRun(store, `r${i}`, { now: T0 + i });
      const [a, b] = await Promise.all([
        store.claimRuns(claimArgs({ workerId: 'worker-a', limit: 6 })),
        store.claimRuns(claimArgs({ workerId: 'worker-b', limit: 6 })),
      ]);
      const ids = [...a, ...b].map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
    });

    it('ends the attempts still marked running as interrupted', async () => {
      const store = getStore();
      await createClaimed(store, 'r1');
      const base = { runId: 'r1', stepName: 'fetch', workerId: 'worker-a' };
      await store.startAttempt({ ...base, stepId: 'fetch#0', attempt: 1, startedAt: T0 + 1 });
      await store.endAttempt({ runId: 'r1', stepId: 'fetch#0', attempt: 1, endedAt: T0 + 3, outcome: 'failed', errorClass: 'logic', errorMessage: 'boom' });
      await store.startAttempt({ ...base, stepId: 'fetch#0', attempt: 2, startedAt: T0 + 5 });
      const now = T0 + LEASE_MS;
      await claim(store, 'r1', { now, workerId: 'worker-b' });
      const attempts = await store.listAttempts('r1');
      expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'interrupted']);
      // No renewal since the attempt began: it ends at its start (when it was last known alive).
      expect(attempts[1]).toMatchObject({
        endedAt: T0 + 5,
        errorClass: 'interrupted',
        errorMessage: 'worker lost its lease before the attempt ended',
        durationMs: 0,
      });
    });

    it("an interrupted attempt ends at the lost lease's last renewal, not when the takeover noticed", async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.startAttempt({ runId: 'r1', stepName: 'fetch', workerId: 'worker-a', stepId: 'fetch#0', attempt: 1, startedAt: T0 + 5 });
      expect((await store.heartbeat({ runId: 'r1', token: tokenOf(run), now: T0 + 700, leaseMs: LEASE_MS })).ok).toBe(true);
      const now = T0 + 700 + LEASE_MS;
      await claim(store, 'r1', { now, workerId: 'worker-b' });
      expect((await store.listAttempts('r1'))[0]).toMatchObject({ outcome: 'interrupted', endedAt: T0 + 700, durationMs: 695 });
      // the new holder's claim counts as its first renewal
      await store.startAttempt({ runId: 'r1', stepName: 'fetch', workerId: 'worker-b', stepId: 'fetch#0', attempt: 2, startedAt: now - 10 });
      await claim(store, 'r1', { now: now + LEASE_MS, workerId: 'worker-c' });
      expect((await store.listAttempts('r1'))[1]).toMatchObject({ outcome: 'interrupted', endedAt: now, durationMs: 10 });
    });
  });

  describe('leases', () => {
    it('attempt writes with a token are fenced: a stale token writes nothing', async () => {
      const store = getStore();
      const first = await createClaimed(store, 'r1');
      const stale = tokenOf(first);
      const base = { runId: 'r1', stepId: 'fetch#0', stepName: 'fetch', workerId: 'worker-a' };
      await store.startAttempt({ ...base, token: stale, attempt: 1, startedAt: T0 + 1 });
      const [second] = await store.claimRuns(claimArgs({ now: T0 + LEASE_MS, workerId: 'worker-b' }));
      const refused = [
        await rejection(store.startAttempt({ ...base, token: stale, attempt: 2, startedAt: T0 + LEASE_MS + 1 })),
        await rejection(
          store.endAttempt({
            runId: 'r1',
            token: stale,
            stepId: 'fetch#0',
            attempt: 1,
            endedAt: T0 + LEASE_MS + 2,
            outcome: 'failed',
            errorClass: 'transient',
            errorMessage: 'late',
          }),
        ),
      ];
      for (const error of refused) {
        expect(error).toBeInstanceOf(LeaseLostError);
        expect(error).toMatchObject({ code: 'LEASE_LOST', runId: 'r1' });
      }
      // The takeover's interrupted record of attempt 1 stands; no attempt 2 of the stale worker exists.
      expect((await store.listAttempts('r1')).map((a) => [a.attempt, a.outcome])).toEqual([[1, 'interrupted']]);
      await store.startAttempt({ ...base, token: tokenOf(second!), workerId: 'worker-b', attempt: 2, startedAt: T0 + LEASE_MS + 3 });
      expect((await store.listAttempts('r1')).map((a) => [a.attempt, a.outcome, a.workerId])).toEqual([
        [1, 'interrupted', 'worker-a'],
        [2, 'running', 'worker-b'],
      ]);
    });

    it('heartbeat extends the lease while the token holds', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const hb = await store.heartbeat({ runId: 'r1', token: tokenOf(run), now: T0 + LEASE_MS - 1, leaseMs: LEASE_MS });
      expect(hb).toEqual({ ok: true, cancelRequested: false });
      expect(await store.claimRuns(claimArgs({ now: T0 + LEASE_MS }))).toEqual([]);
      expect((await store.getRun('r1'))?.lease?.expiresAt).toBe(T0 + 2 * LEASE_MS - 1);
      expect(await store.heartbeat({ runId: 'r1', token: 'wrong', now: T0, leaseMs: LEASE_MS })).toMatchObject({ ok: false });
      expect(await store.heartbeat({ runId: 'missing', token: 'x', now: T0, leaseMs: LEASE_MS })).toMatchObject({ ok: false });
    });

    it('heartbeat reports a requested cancel', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.requestCancel('r1', T0 + 1);
      expect(await store.heartbeat({ runId: 'r1', token: tokenOf(run), now: T0 + 2, leaseMs: LEASE_MS })).toEqual({
        ok: true,
        cancelRequested: true,
      });
    });

    it('breakLease makes the run claimable now, only with the current token', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      expect(await store.breakLease('r1', 'wrong', T0 + 1)).toBe(false);
      expect(await store.breakLease('missing', 'x', T0 + 1)).toBe(false);
      expect(await store.breakLease('r1', tokenOf(run), T0 + 1)).toBe(true);
      const again = await claim(store, 'r1', { now: T0 + 1, workerId: 'worker-b' });
      expect(again.claimCount).toBe(2);
      expect(await store.breakLease('r1', tokenOf(run), T0 + 2)).toBe(false);
    });

    it('listLeasesOnHost lists running runs leased on that host', async () => {
      const store = getStore();
      const a = await createClaimed(store, 'a');
      await createRun(store, 'b');
      const b = await claim(store, 'b', { host: 'host-b', pid: 7 });
      const c = await createClaimed(store, 'c');
      await store.releaseRun({ runId: 'c', token: tokenOf(c), now: T0 + 1, status: 'pending', wakeAt: null });
      expect(await store.listLeasesOnHost('host-a')).toEqual([{ runId: 'a', pid: 4242, token: tokenOf(a) }]);
      expect(await store.listLeasesOnHost('host-b')).toEqual([{ runId: 'b', pid: 7, token: tokenOf(b) }]);
      expect(await store.listLeasesOnHost('host-z')).toEqual([]);
    });
  });
}
