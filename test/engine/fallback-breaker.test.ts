// A fallback chain skips an alternative whose shared breaker is open (issue 8 §3), on a real
// SQLite file: no attempt and no body run for the skipped one; the last alternative is never
// skipped (its open breaker defers the step); a kind in `onKinds` moves the chain on at once.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { ManualClock } from '../../src/time/clock.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const breakers = { 'dep:a': { windowSize: 2, minimumCalls: 1, failureRateThreshold: 50, coolDownMs: 10_000 } };
const down = () => {
  throw Object.assign(new Error('upstream down'), { code: 'ECONNRESET' });
};

describe('fallback chain and shared breakers', () => {
  it('skips an alternative while its breaker is open, tries it again once the breaker lets a probe through', async () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    let aFails = true;
    const wf = defineWorkflow('fb.breaker', async (ctx) =>
      ctx.fallback('call', [
        {
          name: 'a',
          breaker: 'dep:a',
          retry: { maxAttempts: 1 },
          run: () => {
            ran.push('a');
            return aFails ? down() : 'from a';
          },
        },
        { name: 'b', run: () => (ran.push('b'), 'from b') },
      ]),
    );
    engine = await startEngine({ workflows: [wf], clock, breakers });
    expect(await (await engine.lifeline.start(wf, null)).result()).toEqual({ value: 'from b', alternative: 'b' });
    await waitForEvent(engine, (e) => e.type === 'breaker.opened');
    expect(ran).toEqual(['a', 'b']);

    aFails = false;
    const skipped = await engine.lifeline.start(wf, null);
    expect(await skipped.result()).toEqual({ value: 'from b', alternative: 'b' });
    expect(ran).toEqual(['a', 'b', 'b']);
    expect((await engine.lifeline.store.listAttempts(skipped.runId)).map((a) => a.alternative)).toEqual(['b']);

    await clock.advance(10_000); // the cool-down is over: a is tried (a probe) and answers
    expect(await (await engine.lifeline.start(wf, null)).result()).toEqual({ value: 'from a', alternative: 'a' });
    expect(ran).toEqual(['a', 'b', 'b', 'a']);
  });

  it('the last alternative is not skipped: its open breaker defers the step until a probe may go', async () => {
    const clock = new ManualClock();
    let fails = true;
    const wf = defineWorkflow('fb.breaker.last', async (ctx) =>
      ctx.fallback('call', [{ name: 'a', breaker: 'dep:a', retry: { maxAttempts: 1 }, run: () => (fails ? down() : 'from a') }]),
    );
    engine = await startEngine({ workflows: [wf], clock, breakers });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow('upstream down');
    await waitForEvent(engine, (e) => e.type === 'breaker.opened');
    fails = false;
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping' && e.runId === h.runId);
    expect(await engine.lifeline.store.listAttempts(h.runId)).toEqual([]);
    await clock.advance(10_000);
    expect(await h.result()).toEqual({ value: 'from a', alternative: 'a' });
  });

  it('an unknown breaker key fails the step with an error naming it', async () => {
    const wf = defineWorkflow('fb.breaker.unknown', async (ctx) =>
      ctx.fallback('call', [
        { name: 'a', breaker: 'dep:nope', run: () => 'a' },
        { name: 'b', run: () => 'b' },
      ]),
    );
    engine = await startEngine({ workflows: [wf], breakers });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow(
      `Invalid option step "call".breaker: no breaker "dep:nope" in Lifeline.open's breakers (known: "dep:a"; '*' configures any key)`,
    );
  });

  it('a kind in onKinds moves the chain on at once, whatever its class; without it the class decides', async () => {
    const ran: string[] = [];
    const tooLong = () => {
      ran.push('a');
      throw new ClassifiedError('prompt too long', { errorClass: 'validation', kind: 'context_overflow' });
    };
    const chain = [
      { name: 'a', run: tooLong },
      { name: 'b', run: () => (ran.push('b'), 'from b') },
    ];
    const moving = defineWorkflow('fb.kinds', async (ctx) => ctx.fallback('call', chain, { onKinds: ['context_overflow'] }));
    const staying = defineWorkflow('fb.kinds.off', async (ctx) => ctx.fallback('call', chain));
    engine = await startEngine({ workflows: [moving, staying] });
    const h = await engine.lifeline.start(moving, null);
    expect(await h.result()).toEqual({ value: 'from b', alternative: 'b' });
    expect((await engine.lifeline.store.listAttempts(h.runId)).map((a) => a.movedOn)).toEqual(['validation: prompt too long, moved to b', null]);
    await expect((await engine.lifeline.start(staying, null)).result()).rejects.toThrow('prompt too long');
    expect(ran).toEqual(['a', 'b', 'a']);
  });

  it('a bad onKinds names the field', async () => {
    const wf = defineWorkflow('fb.kinds.bad', async (ctx) => ctx.fallback('call', [{ name: 'a', run: () => 'a' }], { onKinds: [''] }));
    engine = await startEngine({ workflows: [wf] });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow(
      'Invalid option fallback "call".onKinds[0]: must be a non-empty string of at most 100 characters without NUL (got "")',
    );
  });
});
