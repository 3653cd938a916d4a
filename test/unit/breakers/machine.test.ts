// The breaker state machine and its windows (src/breakers/), driven by a ManualClock: no sleeps.
import { describe, expect, it } from 'vitest';
import { breakerConfig } from '../../../src/breakers/config.js';
import { BreakerMachine, type CallOutcome, type Transition } from '../../../src/breakers/machine.js';
import { makeWindow, FAILED, SLOW } from '../../../src/breakers/window.js';
import { circuitBreaker } from '../../../src/policy/values/circuit-breaker.js';
import { ClassifiedError } from '../../../src/policy/classified-error.js';
import { BrokenCircuitError } from '../../../src/errors/broken-circuit-error.js';
import { ManualClock } from '../../../src/time/clock.js';

const OK: CallOutcome = { kind: 'success', durationMs: 10 };
const FAIL: CallOutcome = { kind: 'failure', durationMs: 10 };

function drive(machine: BreakerMachine, clock: ManualClock, outcomes: CallOutcome[]): Transition[] {
  const out: Transition[] = [];
  for (const o of outcomes) machine.record(clock.now(), o, undefined, out);
  return out;
}

describe('breaker windows', () => {
  it('a count window keeps the last N calls with running totals, and round-trips through JSON', () => {
    const w = makeWindow({ kind: 'count', size: 3 });
    for (const m of [FAILED, 0, FAILED | SLOW, 0]) w.add(m, 0);
    expect([w.calls, w.failures, w.slow]).toEqual([3, 1, 1]);
    expect(w.toData()).toEqual({ marks: [0, FAILED | SLOW, 0] });
    const copy = makeWindow({ kind: 'count', size: 2 }, w.toData());
    expect([copy.calls, copy.failures, copy.slow]).toEqual([2, 1, 1]);
  });

  it('a time window drops calls older than its span (by bucket of span/10)', () => {
    const t = 1_000_000;
    const w = makeWindow({ kind: 'time', ms: 1000 });
    w.add(FAILED, t);
    w.add(0, t + 500);
    expect([w.calls, w.failures]).toEqual([2, 1]);
    w.expire(t + 999);
    expect([w.calls, w.failures]).toEqual([2, 1]);
    w.expire(t + 1000);
    expect([w.calls, w.failures]).toEqual([1, 0]);
    const copy = makeWindow({ kind: 'time', ms: 1000 }, w.toData());
    expect([copy.calls, copy.failures]).toEqual([1, 0]);
    w.expire(t + 1500);
    expect(w.calls).toBe(0);
  });
});

describe('breaker state machine', () => {
  it('decides only from minimumCalls on, at the failure-rate threshold', () => {
    const clock = new ManualClock();
    const m = new BreakerMachine(breakerConfig({ windowSize: 10, minimumCalls: 5, failureRateThreshold: 60, coolDownMs: 100 }, 'b'));
    expect(drive(m, clock, [FAIL, FAIL, FAIL, FAIL])).toEqual([]); // 4 failures, under the minimum
    expect(m.stateAt(clock.now())).toBe('closed');
    const out = drive(m, clock, [OK]); // 4 of 5 = 80 % >= 60 %
    expect(out).toEqual([
      {
        from: 'closed',
        to: 'open',
        at: clock.now(),
        reason: '4 of 5 calls failed (80 % >= 60 %)',
        openUntil: clock.now() + 100,
        failureRate: 80,
        slowCallRate: 0,
        calls: 5,
      },
    ]);
  });

  it('opens on the slow-call rate, counting slow successes and slow failures alike', () => {
    const clock = new ManualClock();
    const m = new BreakerMachine(breakerConfig({ windowSize: 4, minimumCalls: 4, slowCallRateThreshold: 50, slowCallDurationMs: 1000 }, 'b'));
    const slow: CallOutcome = { kind: 'success', durationMs: 1000 };
    expect(drive(m, clock, [OK, slow, OK])).toEqual([]);
    const [t] = drive(m, clock, [{ kind: 'success', durationMs: 2500 }]);
    expect(t).toMatchObject({ to: 'open', reason: '2 of 4 calls were slow (50 % >= 50 %)', slowCallRate: 50, failureRate: 0 });
  });

  it('a time window forgets failures older than its span', async () => {
    const clock = new ManualClock();
    const m = new BreakerMachine(breakerConfig({ windowMs: 10_000, minimumCalls: 3, failureRateThreshold: 50 }, 'b'));
    drive(m, clock, [FAIL, FAIL]);
    await clock.advance(10_000);
    expect(drive(m, clock, [FAIL])).toEqual([]); // the first two left the window: 1 call
    expect(drive(m, clock, [OK, FAIL]).map((t) => t.to)).toEqual(['open']); // 2 of 3
  });

  it('a failure that says when a quota resets opens until then, even below the minimum calls', async () => {
    const clock = new ManualClock();
    const m = new BreakerMachine(breakerConfig({ minimumCalls: 10, coolDownMs: 1000 }, 'b'));
    const [t] = drive(m, clock, [{ kind: 'failure', durationMs: 1, retryAfterMs: 42_000 }]);
    expect(t).toMatchObject({ to: 'open', openUntil: clock.now() + 42_000, reason: 'the dependency asked to wait 42000 ms (quota reset)' });
    const out: Transition[] = [];
    expect(m.acquire(clock.now() + 41_999, 'w', 100, out)).toMatchObject({ admitted: false, retryAt: clock.now() + 42_000 });
    expect(m.acquire(clock.now() + 42_000, 'w', 100, out)).toEqual({ admitted: true, probe: true });
  });

  it('ignored outcomes count neither way; a late outcome of a call admitted before the breaker opened does not count', () => {
    const clock = new ManualClock();
    const m = new BreakerMachine(breakerConfig({ windowSize: 2, minimumCalls: 2, coolDownMs: 100 }, 'b'));
    drive(m, clock, [{ kind: 'ignored' }, { kind: 'ignored' }, { kind: 'ignored' }]);
    expect(m.window.calls).toBe(0);
    drive(m, clock, [FAIL, FAIL]);
    expect(m.state).toBe('open');
    drive(m, clock, [OK, FAIL]);
    expect(m.window.calls).toBe(0);
  });
});

describe('in-process circuitBreaker: the new options', () => {
  it('a time window and a slow-call threshold, on the policy clock', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ windowMs: 60_000, minimumCalls: 2, slowCallRateThreshold: 100, slowCallDurationMs: 500, coolDownMs: 1000, clock });
    const slowCall = async () => {
      const p = clock.sleep(500);
      await clock.advance(500);
      await p;
      return 'slow';
    };
    await breaker.execute(slowCall);
    expect(breaker.state).toBe('closed');
    await breaker.execute(slowCall);
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(() => Promise.resolve(1))).rejects.toBeInstanceOf(BrokenCircuitError);
  });

  it('failureClasses chooses what counts', async () => {
    const breaker = circuitBreaker({ windowSize: 1, minimumCalls: 1, failureClasses: ['rate_limit'], clock: new ManualClock() });
    await expect(breaker.execute(() => Promise.reject(new ClassifiedError('t', { errorClass: 'transient' })))).rejects.toThrow('t');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => Promise.reject(new ClassifiedError('r', { errorClass: 'rate_limit' })))).rejects.toThrow('r');
    expect(breaker.state).toBe('open');
  });

  it('checks the new options', () => {
    expect(() => circuitBreaker({ windowMs: 0 })).toThrow('Invalid option circuitBreaker.windowMs: must be a number from 1 to 86400000 (got 0)');
    expect(() => circuitBreaker({ slowCallDurationMs: -1 })).toThrow(
      'Invalid option circuitBreaker.slowCallDurationMs: must be a number from 0 to 86400000 (got -1)',
    );
    expect(() => circuitBreaker({ failureClasses: [] })).toThrow('Invalid option circuitBreaker.failureClasses: must name at least one error class (got [])');
  });
});

describe('in-process circuitBreaker: a success that reaches minimumCalls decides', () => {
  it('opens when the call that completes the minimum is a success but the rate is over the threshold', async () => {
    const breaker = circuitBreaker({ windowSize: 5, minimumCalls: 3, failureRateThreshold: 60, clock: new ManualClock() });
    for (let i = 0; i < 2; i++) await expect(breaker.execute(() => Promise.reject(new ClassifiedError('t', { errorClass: 'transient' })))).rejects.toThrow('t');
    await breaker.execute(() => Promise.resolve(1)); // 2 of 3 = 66.7 %
    expect(breaker.state).toBe('open');
  });
});
