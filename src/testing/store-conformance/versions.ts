// Workflow versions (issue 12 §4; store/versions.ts): runs pinned to a version, claims filtered by
// the (workflow, version) pairs a worker loaded (null matches null only), runs created by a
// schedule or a reassignment pinned too, and the workers table (record, list live, forget).
import { describe, expect, it } from 'vitest';
import { LEASE_MS, T0, WF, claim, claimArgs, type GetStore } from './helpers.js';

const OTHER = 'conformance-other';

export function versionsConformance(getStore: GetStore): void {
  describe('versions', () => {
    it('a run keeps the version it was created with; without one it is null', async () => {
      const store = getStore();
      const { run } = await store.createRun({ id: 'v2', workflow: WF, input: 'null', now: T0, version: 2 });
      expect(run.version).toBe(2);
      expect((await store.getRun('v2'))?.version).toBe(2);
      const { run: plain } = await store.createRun({ id: 'plain', workflow: WF, input: 'null', now: T0 });
      expect(plain.version).toBeNull();
      expect((await store.listRuns({ workflow: WF })).map((r) => [r.id, r.version]).sort()).toEqual([
        ['plain', null],
        ['v2', 2],
      ]);
    });

    it('a claim takes only runs of the (workflow, version) pairs it names; null matches null only', async () => {
      const store = getStore();
      await store.createRun({ id: 'a-v1', workflow: WF, input: 'null', now: T0, version: 1 });
      await store.createRun({ id: 'b-v2', workflow: WF, input: 'null', now: T0 + 1, version: 2 });
      await store.createRun({ id: 'c-null', workflow: WF, input: 'null', now: T0 + 2 });
      await store.createRun({ id: 'd-other-v1', workflow: OTHER, input: 'null', now: T0 + 3, version: 1 });
      const workflows = [WF, OTHER];
      const v2 = await store.claimRuns(claimArgs({ workflows, versions: [{ workflow: WF, version: 2 }], now: T0 + 10 }));
      expect(v2.map((r) => r.id)).toEqual(['b-v2']);
      const unversioned = await store.claimRuns(claimArgs({ workflows, versions: [{ workflow: WF, version: null }], now: T0 + 10 }));
      expect(unversioned.map((r) => r.id)).toEqual(['c-null']);
      // Version 1 of OTHER does not let a worker take version 1 of WF.
      const other = await store.claimRuns(claimArgs({ workflows, versions: [{ workflow: OTHER, version: 1 }], now: T0 + 10 }));
      expect(other.map((r) => r.id)).toEqual(['d-other-v1']);
      expect(await store.claimRuns(claimArgs({ workflows, versions: [], now: T0 + 10 }))).toEqual([]);
      // With runId: the filter applies too.
      expect(await store.claimRuns(claimArgs({ runId: 'a-v1', versions: [{ workflow: WF, version: 3 }], now: T0 + 10 }))).toEqual([]);
      const [v1] = await store.claimRuns(claimArgs({ runId: 'a-v1', versions: [{ workflow: WF, version: 1 }], now: T0 + 10 }));
      expect(v1).toMatchObject({ id: 'a-v1', status: 'running', version: 1 });
    });

    it('a claim without versions takes runs of any version (stores used without a worker)', async () => {
      const store = getStore();
      await store.createRun({ id: 'x-v7', workflow: WF, input: 'null', now: T0, version: 7 });
      await store.createRun({ id: 'y-null', workflow: WF, input: 'null', now: T0 + 1 });
      expect((await store.claimRuns(claimArgs({ now: T0 + 5 }))).map((r) => r.id)).toEqual(['x-v7', 'y-null']);
    });

    it('an expired lease of a v1 run is taken over by another v1 claim, never by a v2 one', async () => {
      const store = getStore();
      await store.createRun({ id: 'r1', workflow: WF, input: 'null', now: T0, version: 1 });
      await claim(store, 'r1', { versions: [{ workflow: WF, version: 1 }] });
      const later = T0 + LEASE_MS + 1;
      expect(await store.claimRuns(claimArgs({ now: later, workerId: 'worker-v2', versions: [{ workflow: WF, version: 2 }] }))).toEqual([]);
      const [taken] = await store.claimRuns(claimArgs({ now: later, workerId: 'worker-v1b', versions: [{ workflow: WF, version: 1 }] }));
      expect(taken).toMatchObject({ id: 'r1', claimCount: 2, version: 1, lease: { workerId: 'worker-v1b' } });
    });

    it('runs created by a schedule firing and by a reassignment are pinned to the version given', async () => {
      const store = getStore();
      const schedule = {
        id: `${WF}:v`,
        workflow: WF,
        cron: '* * * * *',
        timezone: 'UTC',
        catchUp: 'skip' as const,
        input: '1',
        graceMs: 60_000,
        maxCatchUp: 10,
      };
      await store.upsertSchedules({ schedules: [schedule], now: T0 });
      const fired = await store.fireSchedule({
        id: schedule.id,
        expectedFiredThrough: T0,
        firedThrough: T0 + 60_000,
        runs: [{ id: 'tick', tick: T0 + 60_000 }],
        workflow: WF,
        version: 3,
        input: '1',
        now: T0 + 60_000,
      });
      expect(fired).toEqual({ fired: true, created: ['tick'] });
      expect((await store.getRun('tick'))?.version).toBe(3);
      await store.createRun({ id: 'failing', workflow: WF, input: '"in"', now: T0, version: 4 });
      const run = await claim(store, 'failing', { now: T0 + 1 });
      await store.recoverRun({
        runId: 'failing',
        token: run.lease?.token ?? '',
        now: T0 + 2,
        strategy: 'reassign',
        reason: 'reassign',
        error: { name: 'Error', message: 'boom', errorClass: 'logic', attempts: 1 },
        takeOver: { runId: 'failing/reassigned-1', workflow: WF, version: 4 },
      });
      expect(await store.getRun('failing/reassigned-1')).toMatchObject({ status: 'pending', input: '"in"', version: 4 });
    });

    it('records workers with the pairs they loaded, lists the live ones, forgets dead and stopped ones', async () => {
      const store = getStore();
      const base = { host: 'h', pid: 1, startedAt: T0, forgetBefore: 0 };
      await store.recordWorker({
        ...base,
        id: 'w-a',
        workflows: [
          { workflow: WF, version: 1 },
          { workflow: OTHER, version: null },
        ],
        now: T0,
      });
      await store.recordWorker({ ...base, id: 'w-b', pid: 2, workflows: [{ workflow: WF, version: 2 }], now: T0 + 10 });
      expect(await store.listWorkers()).toEqual([
        {
          id: 'w-a',
          host: 'h',
          pid: 1,
          workflows: [
            { workflow: WF, version: 1 },
            { workflow: OTHER, version: null },
          ],
          startedAt: T0,
          lastSeenAt: T0,
        },
        { id: 'w-b', host: 'h', pid: 2, workflows: [{ workflow: WF, version: 2 }], startedAt: T0, lastSeenAt: T0 + 10 },
      ]);
      expect((await store.listWorkers({ seenSince: T0 + 5 })).map((w) => w.id)).toEqual(['w-b']);
      // A refresh keeps startedAt from the first record and replaces what it loaded.
      await store.recordWorker({ ...base, id: 'w-a', startedAt: T0 + 99, workflows: [{ workflow: WF, version: 3 }], now: T0 + 20 });
      expect((await store.listWorkers({ seenSince: T0 + 15 })).map((w) => [w.id, w.startedAt, w.workflows])).toEqual([
        ['w-a', T0, [{ workflow: WF, version: 3 }]],
      ]);
      // A record forgets other workers last seen before forgetBefore, never itself.
      await store.recordWorker({ ...base, id: 'w-c', workflows: [], now: T0 + 30, forgetBefore: T0 + 15 });
      expect((await store.listWorkers()).map((w) => w.id)).toEqual(['w-a', 'w-c']);
      expect(await store.forgetWorker('w-a')).toBe(true);
      expect(await store.forgetWorker('w-a')).toBe(false);
      expect((await store.listWorkers()).map((w) => w.id)).toEqual(['w-c']);
    });
  });
}
