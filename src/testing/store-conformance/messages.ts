// Messages between runs (issue 12 §6): sendSignal with a message id and sender, idempotent on the id.
import { describe, expect, it } from 'vitest';
import { InvalidRunStateError, RunNotFoundError } from '../../errors/store-errors.js';
import { T0, createClaimed, createRun, rejection, tokenOf, type GetStore } from './helpers.js';

export function messagesConformance(getStore: GetStore): void {
  describe('messages', () => {
    it('a message is a signal with its sender and id; the same id again returns it and stores nothing', async () => {
      const store = getStore();
      await createRun(store, 'to');
      const message = { id: 'from/send:hi#0', senderRunId: 'from' };
      const first = await store.sendSignal({ runId: 'to', name: 'hi', payload: '1', now: T0 + 1, message });
      expect(first).toMatchObject({ runId: 'to', name: 'hi', payload: '1', senderRunId: 'from', messageId: 'from/send:hi#0', consumedByStep: null });
      const again = await store.sendSignal({ runId: 'to', name: 'hi', payload: '2', now: T0 + 2, message });
      expect(again).toEqual(first);
      const plain = await store.sendSignal({ runId: 'to', name: 'hi', payload: '3', now: T0 + 3 });
      expect(plain).toMatchObject({ senderRunId: null, messageId: null });
      const signalled = (await store.listEvents({ runId: 'to' })).filter((e) => e.type === 'run.signalled').map((e) => JSON.parse(e.data) as unknown);
      expect(signalled).toEqual([
        { name: 'hi', signalId: first.id, from: 'from' },
        { name: 'hi', signalId: plain.id },
      ]);
    });

    it('a message already stored is returned after its run finished; a new one to a finished or unknown run is refused', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'to');
      const message = { id: 'from/send:hi#0', senderRunId: 'from' };
      const sent = await store.sendSignal({ runId: 'to', name: 'hi', payload: '1', now: T0 + 1, message });
      await store.finishRun({ runId: 'to', token: tokenOf(run), now: T0 + 2, status: 'completed', output: '1' });
      expect(await store.sendSignal({ runId: 'to', name: 'hi', payload: '1', now: T0 + 3, message })).toEqual(sent);
      const finished = await rejection(
        store.sendSignal({ runId: 'to', name: 'hi', payload: '1', now: T0 + 4, message: { id: 'from/send:hi#1', senderRunId: 'from' } }),
      );
      expect(finished).toBeInstanceOf(InvalidRunStateError);
      const unknown = await rejection(
        store.sendSignal({ runId: 'nope', name: 'hi', payload: '1', now: T0, message: { id: 'from/send:hi#2', senderRunId: 'from' } }),
      );
      expect(unknown).toBeInstanceOf(RunNotFoundError);
    });

    it('concurrent sends of one message store it once', async () => {
      const store = getStore();
      await createRun(store, 'to');
      const message = { id: 'from/send:hi#0', senderRunId: 'from' };
      const all = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.sendSignal({ runId: 'to', name: 'hi', payload: String(i), now: T0 + i, message })),
      );
      expect(new Set(all.map((s) => s.id)).size).toBe(1);
      const events = (await store.listEvents({ runId: 'to' })).filter((e) => e.type === 'run.signalled');
      expect(events).toHaveLength(1);
    });
  });
}
