import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock, flushAsync } from '../../src/time/clock.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function failing(times: number, make: () => Error) {
  let n = 0;
  return () => {
    n++;
    if (n <= times) throw make();
    return `ok after ${n}`;
  };
}

const err = (props: Record<string, unknown>, message = 'boom') => Object.assign(new Error(message), props);

describe('retries by error class', () => {
  it('retries a transient error after a backoff within the cap, then succeeds', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('retry.transient', async (ctx) =>
      ctx.step(
        'call',
        failing(2, () => err({ code: 'ECONNRESET' })),
        { retry: { initialDelayMs: 1000, maxDelayMs: 1000, jitter: 'none' } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'step.retrying');
    await clock.advance(999);
    expect((await engine.lifeline.store.listAttempts(h.runId)).length).toBe(1);
    await clock.advance(1);
    await waitForEvent(engine, (e) => e.type === 'step.retrying' && (e.data as { attempt: number }).attempt === 2);
    await clock.advance(1000);
    expect(await h.result()).toBe('ok after 3');
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass])).toEqual([
      [1, 'failed', 'transient'],
      [2, 'failed', 'transient'],
      [3, 'succeeded', null],
    ]);
  });

  it('never retries configuration errors and names step, class, attempts and message', async () => {
    const wf = defineWorkflow('retry.config', async (ctx) =>
      ctx.step(
        'auth',
        failing(5, () => err({ status: 401 }, 'Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz123456')),
      ),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('Step "auth#0" failed with configuration error after 1 attempt: Incorrect API key provided: [REDACTED]');
    const [attempt] = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempt?.errorMessage).not.toContain('sk-abc');
    expect((await h.status()).error).toMatchObject({ errorClass: 'configuration', stepId: 'auth#0', attempts: 1 });
  });

  it('does not retry logic errors', async () => {
    const wf = defineWorkflow('retry.logic', async (ctx) =>
      ctx.step(
        'bug',
        failing(5, () => new TypeError('x is not a function')),
      ),
    );
    engine = await startEngine({ workflows: [wf] });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow('failed with logic error after 1 attempt');
  });

  it('honours Retry-After on a rate limit', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('retry.ratelimit', async (ctx) =>
      ctx.step(
        'llm',
        failing(1, () => err({ status: 429, headers: { 'retry-after': '7' } })),
        { retry: { initialDelayMs: 10 } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    const retrying = await waitForEvent(engine, (e) => e.type === 'step.retrying');
    expect(retrying.data).toMatchObject({ errorClass: 'rate_limit', delayMs: 7000 });
    await clock.advance(6999);
    expect((await h.status()).status).toBe('running');
    await clock.advance(1);
    expect(await h.result()).toBe('ok after 2');
  });

  it('gives up after maxAttempts and records every attempt', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('retry.exhaust', async (ctx) =>
      ctx.step(
        'flaky',
        failing(10, () => err({ status: 503 })),
        { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10, jitter: 'none' } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    const result = h.result();
    result.catch(() => {});
    for (let i = 0; i < 3; i++) await clock.advance(10);
    await expect(result).rejects.toThrow('Step "flaky#0" failed with transient error after 3 attempts: boom');
    expect((await engine.lifeline.store.listAttempts(h.runId)).map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed']);
  });

  it("a step retry object shared by two workflows sits on top of each workflow's own policy", async () => {
    const shared = { initialDelayMs: 1, maxDelayMs: 1 };
    const flaky = () => failing(10, () => err({ code: 'ECONNRESET' }));
    const two = defineWorkflow('retry.shared-two', async (ctx) => ctx.step('s', flaky(), { retry: shared }), { retry: { maxAttempts: 2 } });
    const four = defineWorkflow('retry.shared-four', async (ctx) => ctx.step('s', flaky(), { retry: shared }), { retry: { maxAttempts: 4 } });
    engine = await startEngine({ workflows: [two, four] });
    await expect((await engine.lifeline.start(two, null)).result()).rejects.toThrow('after 2 attempts');
    await expect((await engine.lifeline.start(four, null)).result()).rejects.toThrow('after 4 attempts');
  });

  it('lets users add classifier rules', async () => {
    const wf = defineWorkflow(
      'retry.rules',
      async (ctx) =>
        ctx.step(
          'custom',
          failing(5, () => new Error('quota exhausted for tenant')),
        ),
      {
        classifiers: [(e) => ((e as Error).message.includes('quota') ? 'configuration' : undefined)],
      },
    );
    engine = await startEngine({ workflows: [wf] });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow('failed with configuration error after 1 attempt');
  });
});

describe('step timeouts', () => {
  it('fires the AbortSignal, abandons a step that ignores it, discards its late result and records timeout', async () => {
    const clock = new ManualClock();
    let seenReason: unknown;
    let resolveLate: (v: string) => void = () => {};
    const wf = defineWorkflow('timeout.ignore', async (ctx) =>
      ctx.step(
        'slow',
        ({ signal, attempt }) => {
          signal.addEventListener('abort', () => (seenReason = signal.reason));
          if (attempt === 1) return new Promise<string>((r) => (resolveLate = r));
          return 'second attempt';
        },
        { timeout: '5s', retry: { initialDelayMs: 0, maxDelayMs: 0 } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.claimed');
    await flushAsync();
    await clock.advance(5000);
    expect(seenReason).toMatchObject({ name: 'StepTimeoutError', message: 'Step "slow#0" timed out after 5000 ms.' });
    await clock.advance(0);
    expect(await h.result()).toBe('second attempt');
    resolveLate('late result');
    await flushAsync();
    const steps = await engine.lifeline.store.getSteps(h.runId);
    expect(steps[0]?.output).toBe('"second attempt"');
    expect((await engine.lifeline.store.listAttempts(h.runId)).map((a) => [a.outcome, a.errorClass])).toEqual([
      ['timeout', 'timeout'],
      ['succeeded', null],
    ]);
  });
});

describe('option validation', () => {
  it('refuses invalid retry options up front with the field and bound', () => {
    expect(() => defineWorkflow('opts.bad1', async () => 1, { retry: { maxAttempts: 0 } })).toThrow(
      'Invalid option workflow "opts.bad1".retry.maxAttempts: must be an integer from 1 to 1000 (got 0)',
    );
    expect(() => defineWorkflow('opts.bad2', async () => 1, { stepTimeout: '5 parsecs' as never })).toThrow(
      'Invalid option workflow "opts.bad2".stepTimeout: must be a duration >= 0 in ms or a string like "5s" (got "5 parsecs")',
    );
  });

  it('fails a step with invalid step options as a validation error naming the option', async () => {
    const wf = defineWorkflow('opts.step', async (ctx) => ctx.step('s', () => 1, { retry: { backoffMultiplier: 0.5 } }));
    engine = await startEngine({ workflows: [wf] });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow(
      'Invalid option step "s".retry.backoffMultiplier: must be a number from 1 to 100 (got 0.5)',
    );
  });

  it('refuses invalid worker options', async () => {
    engine = await startEngine({ workflows: [] });
    expect(() => engine!.lifeline.worker({ leaseMs: 1000, heartbeatMs: 800 })).toThrow(
      'Invalid option worker.heartbeatMs: must be at most half of worker.leaseMs so a lease survives one missed beat (got 800 with leaseMs 1000)',
    );
    expect(() => engine!.lifeline.worker({ concurrency: 0 })).toThrow('Invalid option worker.concurrency: must be an integer from 1 to 10000 (got 0)');
    expect(() => engine!.lifeline.worker({ leaseMS: 5 } as never)).toThrow('Invalid option worker.leaseMS: unknown option');
    expect(() => engine!.lifeline.worker({ maxClaimsWithoutProgress: 0 })).toThrow(
      'Invalid option worker.maxClaimsWithoutProgress: must be an integer from 1 to 1000 (got 0)',
    );
    expect(() => engine!.lifeline.worker({ maxClaimsWithoutProgress: 2.5 })).toThrow(
      'Invalid option worker.maxClaimsWithoutProgress: must be an integer from 1 to 1000 (got 2.5)',
    );
    expect(engine.lifeline.worker({ maxClaimsWithoutProgress: 1000 }).options.maxClaimsWithoutProgress).toBe(1000);
    expect(engine.lifeline.worker().options.maxClaimsWithoutProgress).toBe(5);
  });
});
