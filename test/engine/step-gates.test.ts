// The admission seam in front of every attempt (src/engine/step-gates.ts): a gate's "not now"
// defers the step without using an attempt, the run sleeps without counting as a claim without
// progress, and every admitted attempt is settled once with its outcome.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { stepGatesOf, type GateOutcome, type GateRequest, type StepGate } from '../../src/engine/step-gates.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** A gate that refuses the first `refusals` requests for 1 s each and records what it saw. */
function scriptedGate(refusals: number) {
  const requests: GateRequest[] = [];
  const outcomes: GateOutcome[] = [];
  const gate: StepGate = {
    name: 'test',
    admit(request) {
      requests.push(request);
      if (requests.length <= refusals) return { admitted: false, gate: 'test:key', reason: `refusal ${requests.length}`, retryAt: request.now + 1000 };
      return { admitted: true, settle: (outcome) => void outcomes.push(outcome) };
    },
  };
  return { gate, requests, outcomes };
}

describe('step gates', () => {
  it('defers a step without an attempt, sleeps the run until the gate allows it, and never parks it for that', async () => {
    const clock = new ManualClock();
    let bodies = 0;
    const wf = defineWorkflow('gates.defer', async (ctx) => ctx.step('call', () => ++bodies));
    // More refusals than the poison limit (5 claims without progress): deferrals must not count.
    engine = await startEngine({ workflows: [wf], clock, worker: { maxClaimsWithoutProgress: 3 } });
    const { gate, requests, outcomes } = scriptedGate(6);
    stepGatesOf(engine.lifeline).push(gate);
    const h = await engine.lifeline.start(wf, null);
    for (let i = 1; i <= 6; i++) {
      await waitForEvent(
        engine,
        (e) => e.type === 'run.parked' || (e.type === 'run.sleeping' && engine!.events.filter((x) => x.type === 'run.sleeping').length === i),
      );
      const run = await engine.lifeline.store.getRun(h.runId);
      expect(run).toMatchObject({ status: 'sleeping', wakeAt: clock.now() + 1000, lease: null });
      expect(await engine.lifeline.store.listAttempts(h.runId)).toEqual([]);
      expect(bodies).toBe(0);
      await clock.advance(1000);
    }
    expect(await h.result()).toBe(1);
    expect(bodies).toBe(1);
    // Every request was for attempt 1: a deferral does not use up an attempt number.
    expect(requests.map((r) => [r.stepId, r.attempt, r.workflow])).toEqual(Array.from({ length: 7 }, () => ['call#0', 1, 'gates.defer']));
    expect(outcomes.map((o) => o.kind)).toEqual(['succeeded']);
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'succeeded']]);
    const deferred = (await engine.lifeline.store.listEvents({ runId: h.runId })).filter((e) => e.type === 'step.deferred');
    expect(deferred).toHaveLength(6);
    expect(JSON.parse(deferred[0]!.data)).toEqual({ stepId: 'call#0', gate: 'test:key', reason: 'refusal 1', retryAt: expect.any(Number) as number });
  });

  it('settles a failed attempt with its classification, and fails an attempt whose gate throws', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('gates.settle', async (ctx) =>
      ctx.step(
        'call',
        ({ attempt }) => {
          if (attempt === 1) throw Object.assign(new Error('upstream reset'), { code: 'ECONNRESET' });
          return 'ok';
        },
        { retry: { initialDelayMs: 10, jitter: 'none' } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const outcomes: GateOutcome[] = [];
    let calls = 0;
    stepGatesOf(engine.lifeline).push({
      name: 'flaky',
      admit() {
        calls++;
        if (calls === 2) throw Object.assign(new Error('gate store blip'), { code: 'ECONNRESET' });
        return { admitted: true, settle: (o) => void outcomes.push(o) };
      },
    });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'step.retrying');
    await clock.advance(10);
    await waitForEvent(engine, (e) => e.type === 'step.retrying' && (e.data as { attempt: number }).attempt === 2);
    await clock.advance(20);
    expect(await h.result()).toBe('ok');
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorMessage])).toEqual([
      [1, 'failed', 'upstream reset'],
      [2, 'failed', 'gate store blip'],
      [3, 'succeeded', null],
    ]);
    expect(outcomes.map((o) => (o.kind === 'failed' ? `failed:${o.classification.errorClass}` : o.kind))).toEqual(['failed:transient', 'succeeded']);
  });
});
