// The cost ledger: reservations against the run and workflow-day caps, commits that replace a
// reservation by the real cost, releases, expiry, direct records, isolation between runs.
import { describe, expect, it } from 'vitest';
import { LedgerEntryError } from '../../errors/budget-errors.js';
import type { ReserveCostArgs, Store } from '../../store/store.js';
import { T0, WF, createRun, rejection, type GetStore } from './helpers.js';

const DAY_MS = 86_400_000;

function reserveArgs(runId: string, over: Partial<ReserveCostArgs> = {}): ReserveCostArgs {
  return {
    runId,
    workflow: WF,
    stepId: 'call#0',
    attempt: 1,
    provider: 'openai',
    model: 'gpt-4o',
    now: T0,
    micros: 100,
    expiresAt: T0 + 60_000,
    runCapMicros: null,
    workflowDayCapMicros: null,
    ...over,
  };
}

const usage = { inputTokens: 10, cachedInputTokens: 4, outputTokens: 3 };

async function reserved(store: Store, args: ReserveCostArgs) {
  const result = await store.reserveCost(args);
  if (!result.ok) throw new Error(`reservation refused: ${JSON.stringify(result.refusal)}`);
  return result.entry;
}

export function ledgerConformance(getStore: GetStore): void {
  describe('cost ledger', () => {
    it('a reservation is recorded as reserved, then committed with the real usage', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      const entry = await reserved(store, reserveArgs('r1', { micros: 500 }));
      expect(entry).toMatchObject({
        runId: 'r1',
        workflow: WF,
        stepId: 'call#0',
        attempt: 1,
        provider: 'openai',
        model: 'gpt-4o',
        state: 'reserved',
        reservedMicros: 500,
        costMicros: 0,
        at: T0,
        expiresAt: T0 + 60_000,
        day: new Date(T0).toISOString().slice(0, 10),
      });
      const committed = await store.commitCost({ id: entry.id, runId: 'r1', now: T0 + 5, ...usage, costMicros: 321 });
      expect(committed).toMatchObject({ id: entry.id, state: 'committed', costMicros: 321, reservedMicros: 500, ...usage });
      expect(await store.listCosts({ runId: 'r1' })).toEqual([committed]);
    });

    it('refuses a reservation that does not fit under the run cap, counting committed and reserved', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      const cap = { runCapMicros: 1000 };
      const a = await reserved(store, reserveArgs('r1', { micros: 600, ...cap }));
      await store.commitCost({ id: a.id, runId: 'r1', now: T0, ...usage, costMicros: 400 });
      await reserved(store, reserveArgs('r1', { stepId: 'call#1', micros: 500, ...cap }));
      const refused = await store.reserveCost(reserveArgs('r1', { stepId: 'call#2', micros: 101, ...cap }));
      expect(refused).toEqual({ ok: false, refusal: { cap: 'run', capMicros: 1000, usedMicros: 900, requestedMicros: 101 } });
      expect((await store.listCosts({ runId: 'r1' })).length).toBe(2);
      // Exactly at the cap fits.
      expect((await store.reserveCost(reserveArgs('r1', { stepId: 'call#2', micros: 100, ...cap }))).ok).toBe(true);
    });

    it('the workflow-day cap counts every run of the workflow in that UTC day, and only that day', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      await createRun(store, 'r2');
      await createRun(store, 'other', { workflow: 'other-wf' });
      const cap = { workflowDayCapMicros: 1000 };
      await reserved(store, reserveArgs('r1', { micros: 700, ...cap }));
      await reserved(store, reserveArgs('other', { workflow: 'other-wf', micros: 5000 }));
      const refused = await store.reserveCost(reserveArgs('r2', { micros: 301, ...cap }));
      expect(refused).toEqual({ ok: false, refusal: { cap: 'workflow_day', capMicros: 1000, usedMicros: 700, requestedMicros: 301 } });
      const nextDay = T0 + DAY_MS;
      expect((await store.reserveCost(reserveArgs('r2', { micros: 1000, now: nextDay, expiresAt: nextDay + 60_000, ...cap }))).ok).toBe(true);
    });

    it('a released or expired reservation no longer counts; a later attempt of the step releases an earlier one', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      const cap = { runCapMicros: 1000 };
      const a = await reserved(store, reserveArgs('r1', { micros: 1000, ...cap }));
      expect((await store.reserveCost(reserveArgs('r1', { stepId: 'b#0', micros: 1, ...cap }))).ok).toBe(false);
      expect(await store.releaseCost({ id: a.id, runId: 'r1', now: T0 })).toBe(true);
      expect(await store.releaseCost({ id: a.id, runId: 'r1', now: T0 })).toBe(false);
      const b = await reserved(store, reserveArgs('r1', { stepId: 'b#0', micros: 1000, expiresAt: T0 + 10, ...cap }));
      expect((await store.reserveCost(reserveArgs('r1', { stepId: 'c#0', micros: 1, now: T0 + 9, ...cap }))).ok).toBe(false);
      // Expired at T0 + 10: the crashed attempt's hold stops counting.
      const c = await reserved(store, reserveArgs('r1', { stepId: 'c#0', micros: 1000, now: T0 + 10, expiresAt: T0 + 1_000_000, ...cap }));
      // Attempt 2 of step c#0: attempt 1 is over, its reservation is released.
      await reserved(store, reserveArgs('r1', { stepId: 'c#0', attempt: 2, micros: 1000, now: T0 + 11, expiresAt: T0 + 1_000_000, ...cap }));
      const states = new Map((await store.listCosts({ runId: 'r1' })).map((e) => [e.id, e.state]));
      expect([states.get(a.id), states.get(b.id), states.get(c.id)]).toEqual(['released', 'reserved', 'released']);
      // An expired (or released) reservation whose call did run is still committed: the money was spent.
      expect(await store.commitCost({ id: b.id, runId: 'r1', now: T0 + 20, ...usage, costMicros: 7 })).toMatchObject({ state: 'committed', costMicros: 7 });
    });

    it('refuses to commit an unknown entry, one of another run, or one already committed', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      await createRun(store, 'r2');
      const e = await reserved(store, reserveArgs('r1'));
      const commit = (id: number, runId: string) => store.commitCost({ id, runId, now: T0, ...usage, costMicros: 1 });
      const other = await rejection(commit(e.id, 'r2'));
      expect(other).toBeInstanceOf(LedgerEntryError);
      expect((other as Error).message).toBe(`Cost ledger entry ${e.id} of run r2 cannot be committed: it belongs to another run.`);
      await commit(e.id, 'r1');
      expect(((await rejection(commit(e.id, 'r1'))) as Error).message).toBe(
        `Cost ledger entry ${e.id} of run r1 cannot be committed: it is already committed.`,
      );
      expect(((await rejection(commit(e.id + 1000, 'r1'))) as Error).message).toBe(
        `Cost ledger entry ${e.id + 1000} of run r1 cannot be committed: no such entry.`,
      );
      expect(await store.releaseCost({ id: e.id, runId: 'r2', now: T0 })).toBe(false);
    });

    it('concurrent runs recording at once each see only their own entries; filters by workflow and time', async () => {
      const store = getStore();
      await createRun(store, 'a');
      await createRun(store, 'b', { workflow: 'wf-b' });
      const call = (runId: string, workflow: string, i: number) =>
        store.recordCost({ ...reserveArgs(runId, { workflow, stepId: `s#${i}`, now: T0 + i }), ...usage, costMicros: runId === 'a' ? 10 : 1000 });
      await Promise.all(Array.from({ length: 20 }, (_, i) => [call('a', WF, i), call('b', 'wf-b', i)]).flat());
      const a = await store.listCosts({ runId: 'a' });
      const b = await store.listCosts({ runId: 'b' });
      expect(a.length).toBe(20);
      expect(b.length).toBe(20);
      expect(a.every((e) => e.runId === 'a' && e.costMicros === 10 && e.state === 'committed' && e.expiresAt === null)).toBe(true);
      expect(b.reduce((sum, e) => sum + e.costMicros, 0)).toBe(20_000);
      expect((await store.listCosts({ workflow: 'wf-b' })).length).toBe(20);
      expect((await store.listCosts({ since: T0 + 15 })).length).toBe(10);
      // Concurrent calls get ids in whatever order they reached the database: the limit keeps the
      // first two in creation (id) order among those at or after `since`.
      const firstTwo = a.filter((e) => e.at >= T0 + 15).slice(0, 2);
      expect(firstTwo).toHaveLength(2);
      expect((await store.listCosts({ runId: 'a', since: T0 + 15, limit: 2 })).map((e) => e.stepId)).toEqual(firstTwo.map((e) => e.stepId));
      expect((await store.listCosts()).length).toBe(40);
    });
  });
}
