// A run's mailbox (issue 12 §6, ctx.receive): listSignals in arrival order, read and unread, by
// name; a release to `waiting` with wakeOn.anySignal is due at once when any signal is unread.
import { describe, expect, it } from 'vitest';
import { T0, commitArgs, createClaimed, createRun, tokenOf, type GetStore } from './helpers.js';

export function mailboxConformance(getStore: GetStore): void {
  describe('mailbox', () => {
    it('lists a run’s signals in arrival order: all, unread, by name, with a limit', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await createRun(store, 'r2');
      const a = await store.sendSignal({ runId: 'r1', name: 'a', payload: '1', now: T0 + 1 });
      const b = await store.sendSignal({ runId: 'r1', name: 'b', payload: '2', now: T0 + 2, message: { id: 'r2/send:b#0', senderRunId: 'r2' } });
      const c = await store.sendSignal({ runId: 'r1', name: 'a', payload: '3', now: T0 + 3 });
      await store.sendSignal({ runId: 'r2', name: 'a', payload: '9', now: T0 + 4 });
      expect(await store.listSignals({ runId: 'r1' })).toEqual([a, b, c]);
      expect(b).toMatchObject({ senderRunId: 'r2', messageId: 'r2/send:b#0', createdAt: T0 + 2 });
      expect(await store.listSignals({ runId: 'r1', unread: true, limit: 1 })).toEqual([a]);
      expect(await store.listSignals({ runId: 'r1', names: ['b', 'x'] })).toEqual([b]);

      await store.commitStep(commitArgs(run, 'receive#0', { kind: 'receive', output: '1' }, { consumeSignalId: a.id }));
      expect(await store.listSignals({ runId: 'r1', unread: true })).toEqual([b, c]);
      expect(await store.listSignals({ runId: 'r1', unread: true, names: ['a'] })).toEqual([c]);
      expect((await store.listSignals({ runId: 'r1' })).map((s) => s.consumedByStep)).toEqual(['receive#0', null, null]);
      expect(await store.listSignals({ runId: 'nope' })).toEqual([]);
    });

    it('a release to waiting on any signal is due at once when one is unread, of whatever name', async () => {
      const store = getStore();
      let run = await createClaimed(store, 'r1');
      await store.releaseRun({ runId: 'r1', token: tokenOf(run), now: T0 + 1, status: 'waiting', wakeAt: null, wakeOn: { anySignal: true } });
      expect(await store.getRun('r1')).toMatchObject({ status: 'waiting' });
      await store.sendSignal({ runId: 'r1', name: 'whatever', payload: '1', now: T0 + 2 });
      expect(await store.getRun('r1')).toMatchObject({ status: 'pending' });

      run = await createClaimed(store, 'r2');
      await store.sendSignal({ runId: 'r2', name: 'early', payload: '1', now: T0 + 3 });
      // Named waits are not due for another name; a wait on any signal is.
      const named = await createClaimed(store, 'r3');
      await store.sendSignal({ runId: 'r3', name: 'early', payload: '1', now: T0 + 3 });
      await store.releaseRun({ runId: 'r3', token: tokenOf(named), now: T0 + 4, status: 'waiting', wakeAt: null, wakeOn: { signalNames: ['other'] } });
      expect(await store.getRun('r3')).toMatchObject({ status: 'waiting' });
      await store.releaseRun({ runId: 'r2', token: tokenOf(run), now: T0 + 4, status: 'waiting', wakeAt: null, wakeOn: { anySignal: true } });
      expect(await store.getRun('r2')).toMatchObject({ status: 'pending', wakeAt: null });
    });
  });
}
