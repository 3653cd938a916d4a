// Messages between runs (issue 12 §6), for any backend: ctx.send delivers through waitForSignal,
// once, also when the sender replays; an unknown or finished run fails the send step with
// MessageUndeliverableError, and its replay fails the same way.
import { expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';

export interface MessageBackend {
  open(): Promise<{ db: string | Store; cleanup: () => Promise<void> }>;
}

export async function settled(lifeline: Lifeline, runId: string, status: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if ((await lifeline.getRun(runId))?.status === status) return;
    await new Promise((r) => setImmediate(r)); // a turn for the worker, not a wait for time
  }
  throw new Error(`run ${runId} never became ${status} (it is ${(await lifeline.getRun(runId))?.status})`);
}

export function messageCases(name: string, backend: MessageBackend): void {
  it(`${name}: a message reaches waitForSignal once, also when its sender replays the send`, async () => {
    const receiver = defineWorkflow(`msg.receiver.${name}`, async (ctx) => ctx.waitForSignal<{ n: number }>('hello'));
    const sender = defineWorkflow(`msg.sender.${name}`, async (ctx, to: string) => {
      const sent = await ctx.send(to, 'hello', { n: 1 });
      await ctx.waitForSignal('go'); // suspends: the resumed run replays the send
      return sent;
    });
    const { db, cleanup } = await backend.open();
    const lifeline = await Lifeline.open({ db, workflows: [receiver, sender] });
    try {
      lifeline.worker({ pollMs: 20 }).start();
      const { runId: to } = await lifeline.start(receiver, null, { runId: `to-${name}` });
      const { runId: from } = await lifeline.start(sender, to, { runId: `from-${name}` });
      await settled(lifeline, from, 'waiting');
      await settled(lifeline, to, 'completed');
      expect((await lifeline.getRun(to))?.output).toEqual({ n: 1 });
      await lifeline.signal(from, 'go');
      await settled(lifeline, from, 'completed');
      expect((await lifeline.getRun(from))?.output).toEqual({ messageId: `${from}/send:hello#0`, to });
      const signalled = (await lifeline.store.listEvents({ runId: to })).filter((e) => e.type === 'run.signalled');
      expect(signalled.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ name: 'hello', signalId: expect.any(Number) as number, from }]);
      expect((await lifeline.store.getSteps(from)).map((s) => [s.stepId, s.kind, s.status])).toEqual([
        ['send:hello#0', 'send', 'completed'],
        ['signal:go#0', 'signal', 'completed'],
      ]);
    } finally {
      await lifeline.close();
      await cleanup();
      unregisterWorkflow(receiver.name);
      unregisterWorkflow(sender.name);
    }
  });

  it(`${name}: a message to an unknown or a finished run fails the send step with MessageUndeliverableError, on replay too`, async () => {
    const done = defineWorkflow(`msg.done.${name}`, () => 'done');
    const sender = defineWorkflow(`msg.bad.${name}`, async (ctx, to: string) => {
      const attempt = async () => {
        try {
          await ctx.send(to, 'hello', 1);
          return 'sent';
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
      };
      const first = await attempt();
      await ctx.waitForSignal('go'); // the resumed run replays the failed send
      return first;
    });
    const { db, cleanup } = await backend.open();
    const lifeline = await Lifeline.open({ db, workflows: [done, sender] });
    try {
      lifeline.worker({ pollMs: 20 }).start();
      const { runId: finished } = await lifeline.start(done, null, { runId: `done-${name}` });
      await settled(lifeline, finished, 'completed');
      const cases = [
        ['nobody', 'MessageUndeliverableError: Message "hello" cannot be delivered to run "nobody": no run has that id.'],
        [
          finished,
          `MessageUndeliverableError: Message "hello" cannot be delivered to run "${finished}": the run has finished (completed) and reads no more messages.`,
        ],
      ];
      for (const [to, expected] of cases) {
        const { runId } = await lifeline.start(sender, to, { runId: `bad-${to}` });
        await settled(lifeline, runId, 'waiting');
        await lifeline.signal(runId, 'go');
        await settled(lifeline, runId, 'completed');
        expect((await lifeline.getRun(runId))?.output).toBe(expected);
        const [step] = await lifeline.store.getSteps(runId);
        expect(step).toMatchObject({
          stepId: 'send:hello#0',
          kind: 'send',
          status: 'failed',
          error: { name: 'MessageUndeliverableError', errorClass: 'logic' },
        });
      }
    } finally {
      await lifeline.close();
      await cleanup();
      unregisterWorkflow(done.name);
      unregisterWorkflow(sender.name);
    }
  });
}
