// createRun, getRun, listRuns.
import { describe, expect, it } from 'vitest';
import { T0, WF, createRun, type GetStore } from './helpers.js';

export function runsConformance(getStore: GetStore): void {
  describe('createRun / getRun', () => {
    it('creates a pending run with the given fields', async () => {
      const store = getStore();
      expect(typeof store.backend).toBe('string');
      const { run, created } = await store.createRun({ id: 'r1', workflow: WF, input: '{"a":1}', now: T0 });
      expect(created).toBe(true);
      expect(run).toEqual({
        id: 'r1',
        workflow: WF,
        status: 'pending',
        input: '{"a":1}',
        output: null,
        error: null,
        parentRunId: null,
        createdAt: T0,
        updatedAt: T0,
        wakeAt: null,
        lease: null,
        cancelRequested: false,
        claimCount: 0,
        claimsWithoutProgress: 0,
        version: null,
      });
      expect(await store.getRun('r1')).toEqual(run);
    });

    it('keeps the W3C traceparent a run was created with (observability: its spans join that trace)', async () => {
      const store = getStore();
      const traceParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const { run } = await store.createRun({ id: 'traced', workflow: WF, input: 'null', now: T0, traceParent });
      expect(run.traceParent).toBe(traceParent);
      expect((await store.getRun('traced'))?.traceParent).toBe(traceParent);
      const { run: plain } = await store.createRun({ id: 'plain', workflow: WF, input: 'null', now: T0, traceParent: null });
      expect(plain).not.toHaveProperty('traceParent');
    });

    it('is idempotent on id: the second call returns the existing run unchanged', async () => {
      const store = getStore();
      const first = await store.createRun({ id: 'r1', workflow: WF, input: '"first"', now: T0 });
      const second = await store.createRun({ id: 'r1', workflow: 'other', input: '"second"', now: T0 + 5 });
      expect(second.created).toBe(false);
      expect(second.run).toEqual(first.run);
      expect((await store.getRun('r1'))?.input).toBe('"first"');
    });

    it('stores the top-level-undefined marker and the parent id', async () => {
      const store = getStore();
      await createRun(store, 'parent');
      const child = await createRun(store, 'child', { parentRunId: 'parent', input: '' });
      expect(child.parentRunId).toBe('parent');
      expect(child.input).toBe('');
    });

    it('returns null for an unknown run', async () => {
      expect(await getStore().getRun('nope')).toBeNull();
    });
  });

  describe('listRuns', () => {
    it('orders by createdAt desc then id desc, and filters by status, workflow, parent', async () => {
      const store = getStore();
      await createRun(store, 'a', { now: T0 });
      await createRun(store, 'b', { now: T0 + 1 });
      await createRun(store, 'c', { now: T0 + 1 });
      await createRun(store, 'd', { now: T0 + 2, workflow: 'other' });
      await createRun(store, 'e', { now: T0 + 3, parentRunId: 'a' });
      await store.claimRuns({
        workerId: 'w',
        host: 'h',
        pid: 1,
        now: T0 + 10,
        leaseMs: 1000,
        limit: 1,
        workflows: [WF],
        runId: 'b',
      });

      const ids = async (f?: Parameters<typeof store.listRuns>[0]) => (await store.listRuns(f)).map((r) => r.id);
      expect(await ids()).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(await ids({ status: 'running' })).toEqual(['b']);
      expect(await ids({ status: ['running', 'pending'], workflow: WF })).toEqual(['e', 'c', 'b', 'a']);
      expect(await ids({ workflow: 'other' })).toEqual(['d']);
      expect(await ids({ parentRunId: 'a' })).toEqual(['e']);
      expect(await ids({ status: [] })).toEqual([]);
      expect(await ids({ limit: 2 })).toEqual(['e', 'd']);
    });

    it('returns at most 100 runs by default', async () => {
      const store = getStore();
      await Promise.all(Array.from({ length: 105 }, (_, i) => createRun(store, `r${String(i).padStart(3, '0')}`, { now: T0 + i })));
      const runs = await store.listRuns();
      expect(runs).toHaveLength(100);
      expect(runs[0]?.id).toBe('r104');
    });
  });
}
