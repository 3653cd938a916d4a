// Rewind (issue 12 §2) through the engine on a real SQLite file: the steps before the target
// replay from their records, the target and every later step run again exactly once, a failed run
// completes after its code is fixed (with a fresh retry budget), a consumed signal is read again,
// a child step finds its child run's result again, a send sends nothing new, a cached step hits
// the cache, and bad calls are refused with exact messages.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { RunNotFoundError } from '../../src/errors/store-errors.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
const defined: string[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  for (const name of defined.splice(0)) unregisterWorkflow(name);
});

/** A file each step body appends its name to: how many times each body ran. */
function bodyLog() {
  const tmp = tempDir('lifeline-rewind-');
  const file = join(tmp.dir, 'bodies.log');
  appendFileSync(file, '');
  return {
    ran: (name: string) => appendFileSync(file, `${name}\n`),
    counts: () => {
      const counts: Record<string, number> = {};
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) counts[line] = (counts[line] ?? 0) + 1;
      return counts;
    },
    cleanup: tmp.cleanup,
  };
}

describe('rewind through the engine (SQLite file)', () => {
  it('a completed run rewound to its 2nd of 4 steps runs steps 2-4 again exactly once each and not step 1', async () => {
    const log = bodyLog();
    let stamp = 0;
    const wf = defineWorkflow('rewind.four', async (ctx) => {
      const a = await ctx.step('a', () => (log.ran('a'), `a${++stamp}`));
      const b = await ctx.step('b', () => (log.ran('b'), `b${++stamp}`));
      const c = await ctx.step('c', () => (log.ran('c'), `c${++stamp}`));
      const d = await ctx.step('d', () => (log.ran('d'), `d${++stamp}`));
      return [a, b, c, d].join(' ');
    });
    defined.push(wf.name);
    try {
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, null);
      expect(await h.result()).toBe('a1 b2 c3 d4');
      const rewound = await engine.lifeline.rewind(h.runId, { to: 'b', by: 'test' });
      expect(rewound).toMatchObject({ toStepId: 'b#0', generation: 2, setAside: 3, run: { status: 'pending', generation: 2 } });
      // Step a replays from its record (a1); b, c and d run again.
      expect(await engine.lifeline.result(h.runId)).toBe('a1 b5 c6 d7');
      expect(log.counts()).toEqual({ a: 1, b: 2, c: 2, d: 2 });
      const earlier = await engine.lifeline.listStepGenerations(h.runId);
      expect(earlier.map((s) => [s.generation, s.stepId, s.output])).toEqual([
        [1, 'b#0', '"b2"'],
        [1, 'c#0', '"c3"'],
        [1, 'd#0', '"d4"'],
      ]);
      // Attempt numbers continue: the re-run is attempt 2 of b, c and d.
      const attempts = await engine.lifeline.store.listAttempts(h.runId);
      expect(attempts.map((a) => `${a.stepId}:${a.attempt}:${a.outcome}`)).toEqual([
        'a#0:1:succeeded',
        'b#0:1:succeeded',
        'c#0:1:succeeded',
        'd#0:1:succeeded',
        'b#0:2:succeeded',
        'c#0:2:succeeded',
        'd#0:2:succeeded',
      ]);
    } finally {
      log.cleanup();
    }
  });

  it('a failed run rewound after its code is fixed completes; its failed step gets a fresh retry budget; earlier steps do not run again', async () => {
    const log = bodyLog();
    let failuresLeft = 2; // the first run fails for good (2 of 2 attempts)
    const wf = defineWorkflow('rewind.fix', async (ctx, input: { n: number }) => {
      const a = await ctx.step('a', () => (log.ran('a'), input.n));
      const b = await ctx.step('b', () => (log.ran('b'), a + 1));
      return ctx.step(
        'c',
        () => {
          log.ran('c');
          if (failuresLeft-- > 0) throw new ClassifiedError('the bug', { errorClass: 'transient' });
          return b * 10;
        },
        { retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1, jitter: 'none' } },
      );
    });
    defined.push(wf.name);
    try {
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, { n: 4 });
      await expect(h.result()).rejects.toThrow('the bug');
      expect(log.counts()).toEqual({ a: 1, b: 1, c: 2 });
      failuresLeft = 1; // "fixed", but the first re-run attempt still fails once
      await engine.lifeline.rewind(h.runId, { to: 'c#0' });
      // Two failures of c were recorded before: without a fresh budget the third would end the run.
      expect(await engine.lifeline.result(h.runId)).toBe(50);
      expect(log.counts()).toEqual({ a: 1, b: 1, c: 4 });
      const earlier = await engine.lifeline.listStepGenerations(h.runId);
      expect(earlier.map((s) => [s.generation, s.stepId, s.status, s.error?.message])).toEqual([[1, 'c#0', 'failed', 'the bug']]);
    } finally {
      log.cleanup();
    }
  });

  it('a signal the set-aside step consumed is read again by the re-run waitForSignal', async () => {
    const log = bodyLog();
    const wf = defineWorkflow('rewind.signal', async (ctx) => {
      await ctx.step('a', () => log.ran('a'));
      const approval = await ctx.waitForSignal<{ ok: boolean }>('approve');
      return ctx.step('after', () => (log.ran('after'), approval.ok ? 'approved' : 'refused'));
    });
    defined.push(wf.name);
    try {
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, null);
      await engine.lifeline.signal(h.runId, 'approve', { ok: true });
      expect(await h.result()).toBe('approved');
      expect(await engine.lifeline.rewind(h.runId, { to: 'signal:approve' })).toMatchObject({ toStepId: 'signal:approve#0', setAside: 2 });
      // No new signal is sent: the re-run wait reads the one it consumed before.
      expect(await engine.lifeline.result(h.runId)).toBe('approved');
      expect(log.counts()).toEqual({ a: 1, after: 2 });
    } finally {
      log.cleanup();
    }
  });

  it('a re-run child step finds the child run it started before (same id): the child does not run again', async () => {
    const log = bodyLog();
    const child = defineWorkflow('rewind.child', async (ctx, n: number) => ctx.step('work', () => (log.ran('child'), n * 2)));
    const parent = defineWorkflow('rewind.parent', async (ctx) => {
      const got = await ctx.child(child, 21);
      return ctx.step('use', () => (log.ran('use'), got + 1));
    });
    defined.push(child.name, parent.name);
    try {
      engine = await startEngine({ workflows: [child, parent] });
      const h = await engine.lifeline.start(parent, null);
      expect(await h.result()).toBe(43);
      const [slot] = await engine.lifeline.store.getSteps(h.runId);
      await engine.lifeline.rewind(h.runId, { to: slot?.stepId ?? '' });
      expect(await engine.lifeline.result(h.runId)).toBe(43);
      expect(log.counts()).toEqual({ child: 1, use: 2 });
      expect((await engine.lifeline.listRuns({ workflow: child.name })).length).toBe(1);
    } finally {
      log.cleanup();
    }
  });

  it('a re-run send step sends nothing new (the message id is the same); a re-run cached step hits the cache until the entry is cleared', async () => {
    const log = bodyLog();
    const receiver = defineWorkflow('rewind.receiver', async (ctx) => ctx.waitForSignal<string>('hello'));
    const sender = defineWorkflow('rewind.sender', async (ctx, to: string) => {
      const looked = await ctx.step('lookup', () => (log.ran('lookup'), 'value'), { cache: { key: 'k', ttl: '1h' } });
      return ctx.send(to, 'hello', looked);
    });
    defined.push(receiver.name, sender.name);
    try {
      engine = await startEngine({ workflows: [receiver, sender] });
      const { lifeline } = engine;
      const to = await lifeline.start(receiver, null, { runId: 'rcv' });
      const from = await lifeline.start(sender, 'rcv', { runId: 'snd' });
      const sent = await from.result();
      expect(await to.result()).toBe('value');
      await lifeline.rewind('snd', { to: 'lookup' });
      expect(await lifeline.result('snd')).toEqual(sent);
      expect(log.counts()).toEqual({ lookup: 1 }); // a cache hit: the body did not run
      expect((await lifeline.store.listAttempts('snd')).map((a) => a.outcome)).toEqual(['succeeded', 'cached']);
      const signalled = (await lifeline.store.listEvents({ runId: 'rcv' })).filter((e) => e.type === 'run.signalled');
      expect(signalled).toHaveLength(1);
      await lifeline.store.deleteCacheEntries({ workflow: sender.name });
      await lifeline.rewind('snd', { to: 'lookup' });
      expect(await lifeline.result('snd')).toEqual(sent);
      expect(log.counts()).toEqual({ lookup: 2 });
      expect((await lifeline.store.listEvents({ runId: 'rcv' })).filter((e) => e.type === 'run.signalled')).toHaveLength(1);
      expect((await lifeline.getRun('snd'))?.generation).toBe(3);
    } finally {
      log.cleanup();
    }
  });

  it('refuses bad options, a live run, an unknown step and an unknown run with messages that say what to do', async () => {
    let release: () => void = () => {};
    const wf = defineWorkflow('rewind.refusals', async (ctx) => {
      await ctx.step('a', () => 1);
      await ctx.step('hold', () => new Promise<void>((r) => (release = r)));
      return 'done';
    });
    defined.push(wf.name);
    engine = await startEngine({ workflows: [wf] });
    const { lifeline } = engine;
    const h = await lifeline.start(wf, null);
    await expect(lifeline.rewind(h.runId, undefined as never)).rejects.toThrow(
      'Invalid option rewind.to: is required: the step id (e.g. "fetch#0") or step name to continue from',
    );
    await expect(lifeline.rewind(h.runId, { to: '' })).rejects.toThrow(
      'Invalid option rewind.to: must be a non-empty string of at most 500 characters without NUL (got "")',
    );
    await expect(lifeline.rewind(h.runId, { to: 'a', bye: 1 } as never)).rejects.toThrow('Invalid option rewind.bye: unknown option (known: to, by)');
    await waitForEvent(engine, (e) => e.type === 'step.started' && e.data.stepId === 'hold#0');
    await expect(lifeline.rewind(h.runId, { to: 'a' })).rejects.toThrow(
      `Cannot rewind run ${h.runId}: it is running. Only a finished run (completed, failed or cancelled) can be rewound: cancel it first, then rewind it.`,
    );
    release();
    expect(await h.result()).toBe('done');
    await expect(lifeline.rewind(h.runId, { to: 'fetch' })).rejects.toThrow(
      `Cannot rewind run ${h.runId} to "fetch": the run has no such step id or step name; its steps are a#0, hold#0.`,
    );
    await expect(lifeline.rewind('nobody', { to: 'a' })).rejects.toThrow(RunNotFoundError);
  });
});
