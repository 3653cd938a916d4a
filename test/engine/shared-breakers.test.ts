// Store-backed circuit breakers as a step gate, in one process with a ManualClock: opening after
// the failures, deferring the step while open (no attempt, no body run, the run sleeping), one
// probe after the cool-down, closing; the events; the option checks.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock, flushAsync } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { isBreakerOpen } from '../../src/breakers/open-check.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const upstream = { fail: true, bodies: 0 };
const wf = defineWorkflow('breakers.call', async (ctx, n: number) =>
  ctx.step(
    'call',
    () => {
      upstream.bodies++;
      if (upstream.fail) throw Object.assign(new Error(`upstream down ${n}`), { code: 'ECONNRESET' });
      return n;
    },
    { breaker: 'llm:a', retry: { maxAttempts: 1 } },
  ),
);
const invalid = defineWorkflow('breakers.invalid', async (ctx) =>
  ctx.step(
    'call',
    () => {
      upstream.bodies++;
      throw Object.assign(new Error('bad request'), { code: 'ERR_INVALID_ARG_VALUE', status: 400 });
    },
    { breaker: 'llm:a', retry: { maxAttempts: 1 } },
  ),
);

describe('shared circuit breakers (step gate)', () => {
  it('opens after the failures, defers steps while open without an attempt, lets one probe through after the cool-down, and closes', async () => {
    const clock = new ManualClock();
    Object.assign(upstream, { fail: true, bodies: 0 });
    engine = await startEngine({
      workflows: [wf, invalid],
      clock,
      breakers: { 'llm:a': { windowSize: 4, minimumCalls: 2, failureRateThreshold: 50, coolDownMs: 5000, halfOpenProbes: 1 } },
    });
    const lifeline = engine.lifeline;
    // A validation failure counts neither way.
    await expect((await lifeline.start(invalid, undefined)).result()).rejects.toThrow('bad request');
    expect(await lifeline.store.listBreakers()).toEqual([]);
    for (const n of [1, 2]) await expect((await lifeline.start(wf, n)).result()).rejects.toThrow(`upstream down ${n}`);
    const opened = await waitForEvent(engine, (e) => e.type === 'breaker.opened');
    expect(opened.data).toEqual({
      key: 'llm:a',
      from: 'closed',
      reason: '2 of 2 calls failed (100 % >= 50 %)',
      openUntil: clock.now() + 5000,
      failureRate: 100,
      slowCallRate: 0,
      calls: 2,
    });
    expect(isBreakerOpen(lifeline, 'llm:a')).toBe(true);
    expect(isBreakerOpen(lifeline, 'llm:other')).toBe(false);

    upstream.fail = false;
    const h = await lifeline.start(wf, 3);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping' && e.runId === h.runId);
    expect(upstream.bodies).toBe(3);
    expect(await lifeline.store.listAttempts(h.runId)).toEqual([]);
    expect(await lifeline.store.getRun(h.runId)).toMatchObject({ status: 'sleeping', wakeAt: clock.now() + 5000, lease: null });
    const deferred = (await lifeline.store.listEvents({ runId: h.runId })).filter((e) => e.type === 'step.deferred');
    expect(deferred.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { stepId: 'call#0', gate: 'breaker:llm:a', reason: 'circuit open: 2 of 2 calls failed (100 % >= 50 %)', retryAt: clock.now() + 5000 },
    ]);

    await clock.advance(5000);
    expect(await h.result()).toBe(3);
    expect(upstream.bodies).toBe(4);
    expect(engine.events.filter((e) => e.type.startsWith('breaker.')).map((e) => e.type)).toEqual(['breaker.opened', 'breaker.half_open', 'breaker.closed']);
    expect((await lifeline.store.listBreakers(['llm:a']))[0]?.data).toMatchObject({ state: 'closed', reason: '1 probe call(s) succeeded' });
    expect(isBreakerOpen(lifeline, 'llm:a')).toBe(false);
  });

  it('batches successes into one store write per flush instead of one per call', async () => {
    const clock = new ManualClock();
    Object.assign(upstream, { fail: false, bodies: 0 });
    engine = await startEngine({ workflows: [wf], clock, breakers: { '*': { flushMs: 100 } } });
    const handles = await Promise.all([1, 2, 3, 4, 5].map((n) => engine!.lifeline.start(wf, n)));
    for (const h of handles) await h.result();
    expect(await engine.lifeline.store.listBreakers()).toEqual([]); // nothing written yet: the success path did not touch the store
    await clock.advance(100);
    await flushAsync();
    const [stored] = await engine.lifeline.store.listBreakers();
    expect(stored?.data.window).toEqual({ marks: [0, 0, 0, 0, 0] });
  });

  it('checks the breakers option and the step option with errors naming the field and the bound', async () => {
    const open = (breakers: unknown) => Lifeline.open({ db: ':memory:', breakers } as Parameters<typeof Lifeline.open>[0]);
    await expect(open({ 'llm:a': { failureRateThreshold: -1 } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["llm:a"].failureRateThreshold: must be a number from 1 to 100 (got -1)',
    );
    await expect(open({ 'llm:a': { windowSize: 0 } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["llm:a"].windowSize: must be an integer from 1 to 100000 (got 0)',
    );
    await expect(open({ 'llm:a': { windowMs: 0.5 } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["llm:a"].windowMs: must be a number from 1 to 86400000 (got 0.5)',
    );
    await expect(open({ '*': { failureClasses: ['timeout', 'flaky'] } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["*"].failureClasses[1]: unknown error class (known: transient, rate_limit, timeout, dependency, configuration, validation, logic, interrupted, cancelled, unknown) (got "flaky")',
    );
    await expect(open({ '*': { failureClasses: ['validation'] } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["*"].failureClasses: "validation" is never retried, so it cannot count as a failure of the dependency (got ["validation"])',
    );
    await expect(open({ '*': { windowSize: 5, windowMs: 1000 } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["*"].windowMs: cannot be set with Lifeline.open.breakers["*"].windowSize: a window counts either calls or time (got both)',
    );
    await expect(open({ '*': { probeLeaseMs: 0 } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["*"].probeLeaseMs: must be a number from 1 to 86400000 (got 0)',
    );
    await expect(open({ '*': { halfOpenProbs: 2 } })).rejects.toThrow('Invalid option Lifeline.open.breakers["*"].halfOpenProbs: unknown option (known: ');
    await expect(open({ '*': { slowCallRateThreshold: 101 } })).rejects.toThrow(
      'Invalid option Lifeline.open.breakers["*"].slowCallRateThreshold: must be a number from 1 to 100 (got 101)',
    );
    await expect(open('llm')).rejects.toThrow('Invalid option Lifeline.open.breakers: must be an object (got string)');
  });

  it('fails the attempt (class configuration) when a step names a breaker that is not configured', async () => {
    const clock = new ManualClock();
    Object.assign(upstream, { fail: false, bodies: 0 });
    engine = await startEngine({ workflows: [wf], clock, breakers: { 'llm:b': {} } });
    const h = await engine.lifeline.start(wf, 1);
    await expect(h.result()).rejects.toThrow(
      `Invalid option step "call".breaker: no breaker "llm:a" in Lifeline.open's breakers (known: "llm:b"; '*' configures any key)`,
    );
    expect(upstream.bodies).toBe(0);
  });

  it('fails a step that names a breaker on a Lifeline without breakers (it would run unprotected)', async () => {
    const clock = new ManualClock();
    Object.assign(upstream, { fail: false, bodies: 0 });
    engine = await startEngine({ workflows: [wf], clock });
    await expect((await engine.lifeline.start(wf, 1)).result()).rejects.toThrow(
      'Invalid option step "call".breaker: this Lifeline has no breakers configured (pass Lifeline.open({ breakers: { "llm:a": { ... } } }))',
    );
    expect(upstream.bodies).toBe(0);
  });
});
