// The mailbox (issue 12 §6, ctx.receive / ctx.tryReceive), for any backend: messages in arrival
// order whatever their name (from runs and from outside), the run waiting while the mailbox is
// empty and woken by any message, names, reads without waiting, the timeout, and replays that
// return what was read the first time.
import { expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { SignalTimeoutError } from '../../src/errors/workflow-errors.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import type { WorkflowDefinition } from '../../src/workflow/define.js';
import { settled, type MessageBackend } from './message-cases.js';

async function withLifeline(
  backend: MessageBackend,
  workflows: WorkflowDefinition[],
  body: (lifeline: Lifeline) => Promise<void>,
  clock?: ManualClock,
): Promise<void> {
  const { db, cleanup } = await backend.open();
  const lifeline = await Lifeline.open({ db, workflows, ...(clock ? { clock } : {}) });
  try {
    await body(lifeline);
  } finally {
    await lifeline.close();
    await cleanup();
    for (const w of workflows) unregisterWorkflow(w.name);
  }
}

export function mailboxCases(name: string, backend: MessageBackend): void {
  it(`${name}: a waiting run woken again and again by signals of another name keeps waiting (never parked as a poison run)`, async () => {
    const waiter = defineWorkflow(`mb.waiter.${name}`, async (ctx) => ctx.waitForSignal<string>('approve'));
    await withLifeline(backend, [waiter], async (lifeline) => {
      const { runId } = await lifeline.start(waiter, null, { runId: `waiter-${name}` });
      lifeline.worker({ pollMs: 20, maxClaimsWithoutProgress: 2 }).start();
      await settled(lifeline, runId, 'waiting');
      for (let i = 0; i < 4; i++) {
        const claims = (await lifeline.getRun(runId))!.claimCount;
        await lifeline.signal(runId, `other-${i}`, i); // wakes it (pending): the worker replays, finds no approve, waits again
        await settled(lifeline, runId, 'waiting');
        expect((await lifeline.getRun(runId))!.claimCount).toBe(claims + 1);
      }
      expect(await lifeline.getRun(runId)).toMatchObject({ status: 'waiting', claimsWithoutProgress: 0 });
      await lifeline.signal(runId, 'approve', 'yes');
      await settled(lifeline, runId, 'completed');
      expect((await lifeline.getRun(runId))?.output).toBe('yes');
    });
  });

  it(`${name}: receive reads the mailbox in arrival order whatever the name, waits while it is empty, is woken by any message, and replays what it read`, async () => {
    const inbox = defineWorkflow(`mb.inbox.${name}`, async (ctx) => {
      const got = [await ctx.receive(), await ctx.receive(), await ctx.receive()];
      await ctx.waitForSignal('done'); // suspends: the resumed run replays the three reads
      return got;
    });
    const sender = defineWorkflow(`mb.sender.${name}`, async (ctx, to: string) => ctx.send(to, 'a', 2));
    await withLifeline(backend, [inbox, sender], async (lifeline) => {
      const { runId } = await lifeline.start(inbox, null, { runId: `inbox-${name}` });
      await lifeline.signal(runId, 'b', 1); // from outside, before anything ran
      lifeline.worker({ pollMs: 20 }).start();
      await lifeline.start(sender, runId, { runId: `sender-${name}` });
      await settled(lifeline, `sender-${name}`, 'completed');
      await settled(lifeline, runId, 'waiting'); // the third read finds the mailbox empty
      expect((await lifeline.store.getSteps(runId)).map((s) => [s.stepId, s.kind, s.status])).toEqual([
        ['receive#0', 'receive', 'completed'],
        ['receive#1', 'receive', 'completed'],
        ['receive#2', 'receive', 'waiting'],
      ]);
      await lifeline.signal(runId, 'c', { n: 3 }); // any name wakes it
      await settled(lifeline, runId, 'waiting');
      await lifeline.signal(runId, 'done');
      await settled(lifeline, runId, 'completed');
      const signals = await lifeline.store.listSignals({ runId });
      const byName = Object.fromEntries(signals.map((s) => [s.name, s]));
      expect((await lifeline.getRun(runId))?.output).toEqual([
        { id: byName['b']?.id, name: 'b', payload: 1, from: null, sentAt: byName['b']?.createdAt },
        { id: byName['a']?.id, name: 'a', payload: 2, from: `sender-${name}`, sentAt: byName['a']?.createdAt },
        { id: byName['c']?.id, name: 'c', payload: { n: 3 }, from: null, sentAt: byName['c']?.createdAt },
      ]);
      expect(signals.map((s) => [s.name, s.consumedByStep])).toEqual([
        ['b', 'receive#0'],
        ['a', 'receive#1'],
        ['c', 'receive#2'],
        ['done', 'signal:done#0'],
      ]);
    });
  });

  it(`${name}: names pick messages out of order and leave the others unread; tryReceive does not wait and replays its null`, async () => {
    const picky = defineWorkflow(`mb.picky.${name}`, async (ctx) => {
      const none = await ctx.tryReceive();
      await ctx.waitForSignal('go'); // woken by "a" and "b" too: each time, the replayed tryReceive stays null
      const b = await ctx.receive<number>({ names: ['b', 'z'] });
      const a = await ctx.tryReceive({ names: ['a'] });
      const again = await ctx.tryReceive();
      return { none, b: [b.name, b.payload], a: a?.name, again };
    });
    await withLifeline(backend, [picky], async (lifeline) => {
      lifeline.worker({ pollMs: 20 }).start();
      const { runId } = await lifeline.start(picky, null, { runId: `picky-${name}` });
      await settled(lifeline, runId, 'waiting');
      await lifeline.signal(runId, 'a', 1);
      await lifeline.signal(runId, 'b', 2);
      await lifeline.signal(runId, 'go');
      await settled(lifeline, runId, 'completed');
      expect((await lifeline.getRun(runId))?.output).toEqual({ none: null, b: ['b', 2], a: 'a', again: null });
      expect((await lifeline.store.listSignals({ runId, unread: true })).map((s) => s.name)).toEqual([]);
    });
  });

  it(`${name}: receive with a timeout throws ReceiveTimeoutError (a SignalTimeoutError), also on replay; bad options name the field`, async () => {
    const clock = new ManualClock();
    const waits = defineWorkflow(`mb.timeout.${name}`, async (ctx) => {
      const say = async (read: () => Promise<unknown>) => {
        try {
          return JSON.stringify(await read());
        } catch (error) {
          return `${(error as Error).name} ${String(error instanceof SignalTimeoutError)}: ${(error as Error).message}`;
        }
      };
      const timedOut = await say(() => ctx.receive({ names: ['x', 'y'], timeout: '10m' }));
      const bad = [
        await say(() => ctx.receive({ names: [] })),
        await say(() => ctx.receive({ timeout: 'soon' as never })),
        await say(() => ctx.tryReceive({ timeout: '1s' } as never)),
        await say(() => ctx.receive({ names: [''] })),
      ];
      await ctx.waitForSignal('go'); // the resumed run replays the timeout
      return { timedOut, bad };
    });
    await withLifeline(
      backend,
      [waits],
      async (lifeline) => {
        lifeline.worker({ pollMs: 3_600_000 }).start();
        const { runId } = await lifeline.start(waits, null, { runId: `timeout-${name}` });
        await settled(lifeline, runId, 'waiting');
        expect(await lifeline.getRun(runId)).toMatchObject({ wakeAt: clock.now() + 600_000 });
        await clock.advance(600_000);
        await settled(lifeline, runId, 'waiting'); // now waiting for "go"
        await lifeline.signal(runId, 'go');
        await settled(lifeline, runId, 'completed');
        expect((await lifeline.getRun(runId))?.output).toEqual({
          timedOut: `ReceiveTimeoutError true: No message named "x" or "y" arrived in the run's mailbox within 600000 ms. Catch ReceiveTimeoutError to go on without one, or use ctx.tryReceive() to read without waiting.`,
          bad: [
            'InvalidOptionsError false: Invalid option ctx.receive.names: must name at least one message, or be left out to read messages of any name (got [])',
            'InvalidOptionsError false: Invalid option ctx.receive.timeout: must be a duration >= 0 in ms or a string like "5s" (got "soon")',
            'InvalidOptionsError false: Invalid option ctx.tryReceive.timeout: unknown option (known: names)',
            'InvalidOptionsError false: Invalid option ctx.receive.names[0]: must be a non-empty string of at most 256 characters without NUL (got "")',
          ],
        });
        expect((await lifeline.store.getSteps(runId)).find((s) => s.stepId === 'receive#0')).toMatchObject({
          kind: 'receive',
          status: 'failed',
          error: { name: 'ReceiveTimeoutError', errorClass: 'timeout' },
        });
      },
      clock,
    );
  });
}
