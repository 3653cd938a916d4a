// sendSignal, peekSignal, consuming signals, appendEvents, listEvents.
import { describe, expect, it } from 'vitest';
import { InvalidRunStateError, RunNotFoundError } from '../../errors/store-errors.js';
import { LifelineError } from '../../errors/lifeline-error.js';
import { T0, claimArgs, commitArgs, createClaimed, createRun, rejection, tokenOf, type GetStore } from './helpers.js';

export function signalsConformance(getStore: GetStore): void {
  describe('signals', () => {
    it('a signal wakes a waiting run; a running run stays running', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.releaseRun({ runId: 'r1', token: tokenOf(run), now: T0 + 1, status: 'waiting', wakeAt: T0 + 1_000_000 });
      const signal = await store.sendSignal({ runId: 'r1', name: 'approve', payload: '{"ok":true}', now: T0 + 2 });
      expect(signal).toMatchObject({ runId: 'r1', name: 'approve', payload: '{"ok":true}', createdAt: T0 + 2, consumedByStep: null });
      expect(await store.getRun('r1')).toMatchObject({ status: 'pending', wakeAt: null });
      expect((await store.claimRuns(claimArgs({ now: T0 + 3 }))).map((r) => r.id)).toEqual(['r1']);
      await store.sendSignal({ runId: 'r1', name: 'approve', payload: '2', now: T0 + 4 });
      expect((await store.getRun('r1'))?.status).toBe('running');
    });

    it('refuses unknown and terminal runs', async () => {
      const store = getStore();
      const unknown = await rejection(store.sendSignal({ runId: 'nope', name: 's', payload: '1', now: T0 }));
      expect(unknown).toBeInstanceOf(RunNotFoundError);
      expect(unknown).toMatchObject({ code: 'RUN_NOT_FOUND', runId: 'nope' });
      const run = await createClaimed(store, 'r1');
      await store.finishRun({ runId: 'r1', token: tokenOf(run), now: T0 + 1, status: 'completed', output: '1' });
      const terminal = await rejection(store.sendSignal({ runId: 'r1', name: 's', payload: '1', now: T0 + 2 }));
      expect(terminal).toBeInstanceOf(InvalidRunStateError);
      expect(terminal).toMatchObject({ code: 'INVALID_RUN_STATE', runId: 'r1', status: 'completed' });
      expect(await store.peekSignal('r1', 's')).toBeNull();
    });

    it('peek returns the oldest unconsumed signal of that name; a step consumes it once', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const first = await store.sendSignal({ runId: 'r1', name: 'go', payload: '1', now: T0 + 1 });
      await store.sendSignal({ runId: 'r1', name: 'other', payload: '0', now: T0 + 2 });
      const second = await store.sendSignal({ runId: 'r1', name: 'go', payload: '2', now: T0 + 3 });
      expect(second.id).toBeGreaterThan(first.id);
      expect(await store.peekSignal('r1', 'go')).toEqual(first);
      expect(await store.peekSignal('r1', 'none')).toBeNull();

      await store.commitStep(commitArgs(run, 'go#0', { kind: 'signal', output: '1' }, { consumeSignalId: first.id }));
      expect(await store.peekSignal('r1', 'go')).toEqual(second);
      const twice = await rejection(store.commitStep(commitArgs(run, 'go#1', { kind: 'signal' }, { consumeSignalId: first.id })));
      expect(twice).toBeInstanceOf(LifelineError);
      expect(twice).toMatchObject({
        code: 'SIGNAL_ALREADY_CONSUMED',
        message: `Signal ${first.id} of run r1 cannot be consumed by step go#1: it is already consumed or belongs to another run.`,
      });
      expect((await store.getSteps('r1')).map((s) => s.stepId)).toEqual(['go#0']);
    });

    it('a signal of another run cannot be consumed', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await createRun(store, 'r2');
      const foreign = await store.sendSignal({ runId: 'r2', name: 'go', payload: '1', now: T0 });
      const error = await rejection(store.commitStep(commitArgs(run, 'go#0', { kind: 'signal' }, { consumeSignalId: foreign.id })));
      expect(error).toBeInstanceOf(LifelineError);
      expect(error).toMatchObject({
        code: 'SIGNAL_ALREADY_CONSUMED',
        message: `Signal ${foreign.id} of run r1 cannot be consumed by step go#0: it is already consumed or belongs to another run.`,
      });
      expect(await store.getSteps('r1')).toEqual([]);
      expect(await store.peekSignal('r2', 'go')).toEqual(foreign);
    });
  });

  describe('events', () => {
    it('appends JSON data and lists by run, after an id, with a limit', async () => {
      const store = getStore();
      await createRun(store, 'a');
      await createRun(store, 'b');
      await store.appendEvents([
        { runId: 'a', type: 'run.created', data: { workflow: 'x' }, at: T0 },
        { runId: 'b', type: 'run.completed', at: T0 + 1 },
        { runId: 'a', type: 'store.unavailable', data: { message: 'text', retryInMs: 5 }, at: T0 + 2 },
      ]);
      await store.appendEvents([]);
      const all = await store.listEvents({});
      expect(all.map((e) => [e.runId, e.type, e.data, e.at])).toEqual([
        ['a', 'run.created', '{"workflow":"x"}', T0],
        ['b', 'run.completed', 'null', T0 + 1],
        ['a', 'store.unavailable', '{"message":"text","retryInMs":5}', T0 + 2],
      ]);
      expect(all[0]!.id).toBeLessThan(all[1]!.id);
      expect(all[1]!.id).toBeLessThan(all[2]!.id);
      expect((await store.listEvents({ runId: 'a' })).map((e) => e.type)).toEqual(['run.created', 'store.unavailable']);
      expect((await store.listEvents({ afterId: all[0]!.id })).map((e) => e.type)).toEqual(['run.completed', 'store.unavailable']);
      expect((await store.listEvents({ runId: 'a', afterId: all[0]!.id })).map((e) => e.type)).toEqual(['store.unavailable']);
      expect((await store.listEvents({ limit: 1 })).map((e) => e.type)).toEqual(['run.created']);
    });

    it('writes that change a run append the events they are given', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.releaseRun({
        runId: 'r1',
        token: tokenOf(run),
        now: T0 + 1,
        status: 'pending',
        wakeAt: null,
        events: [{ runId: 'r1', type: 'run.released', data: { reason: 'shutdown' }, at: T0 + 1 }],
      });
      const again = (await store.claimRuns(claimArgs({ now: T0 + 2 })))[0]!;
      await store.finishRun({
        runId: 'r1',
        token: tokenOf(again),
        now: T0 + 3,
        status: 'completed',
        output: '1',
        events: [{ runId: 'r1', type: 'run.completed', at: T0 + 3 }],
      });
      expect((await store.listEvents({ runId: 'r1' })).map((e) => e.type)).toEqual(['run.released', 'run.completed']);
    });
  });
}
