// The limits decision (src/store/limits.ts) on rows in memory, time from a ManualClock: bucket
// refill, debt after a usage above the estimate, the retry budget's window. No store, no sleeps.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { bucketLevel, decideAcquire, decideRelease, emptyLimitRow, type AcquireLimitsArgs, type LimitKeyRow, type LimitSpec } from '../../src/store/limits.js';

const MINUTE = 60_000;

/** One key's row kept in memory, driven like a store would. */
function memoryKey(key: string) {
  let row: LimitKeyRow = emptyLimitRow(key);
  return {
    acquire(args: Omit<AcquireLimitsArgs, 'holder' | 'leaseMs'>) {
      const { grant, writes } = decideAcquire({ holder: 'h', leaseMs: 1000, ...args }, new Map([[key, { ...row, inUse: 0, nextExpiry: null }]]));
      row = writes.rows[0] ?? row;
      return grant;
    },
    release(now: number, entry: { tokensBack?: number; success?: boolean }) {
      row = decideRelease({ holder: 'h', now, keys: [{ key, ...entry }] }, new Map([[key, row]]))[0] ?? row;
    },
    get row() {
      return row;
    },
  };
}

describe('limit buckets', () => {
  it('a bucket starts full, refills evenly and never above its capacity', () => {
    const clock = new ManualClock();
    const t = clock.now();
    expect(bucketLevel(100, null, null, MINUTE, t)).toBe(100);
    expect(bucketLevel(100, 10, t, MINUTE, t + 6000)).toBe(20);
    expect(bucketLevel(100, 10, t, MINUTE, t + 10 * MINUTE)).toBe(100);
    expect(bucketLevel(100, -50, t, MINUTE, t + 30_000)).toBe(0);
  });

  it('a calls bucket of 3 per minute: a burst of 3, then one call per 20 s', async () => {
    const clock = new ManualClock();
    const k = memoryKey('p');
    const limits: LimitSpec[] = [{ key: 'p', calls: 3, intervalMs: MINUTE }];
    for (let i = 0; i < 3; i++) expect(k.acquire({ now: clock.now(), limits, estimatedTokens: 0, retry: false })).toEqual({ granted: true });
    expect(k.acquire({ now: clock.now(), limits, estimatedTokens: 0, retry: false })).toMatchObject({
      granted: false,
      kind: 'calls',
      retryAt: clock.now() + 20_000,
    });
    expect(k.row.throttled).toBe(1);
    await clock.advance(19_999);
    expect(k.acquire({ now: clock.now(), limits, estimatedTokens: 0, retry: false })).toMatchObject({ granted: false, retryAt: clock.now() + 1 });
    await clock.advance(1);
    expect(k.acquire({ now: clock.now(), limits, estimatedTokens: 0, retry: false })).toEqual({ granted: true });
  });

  it('tokens: a usage above the estimate is debt the next reservation waits for', async () => {
    const clock = new ManualClock();
    const k = memoryKey('p');
    const limits: LimitSpec[] = [{ key: 'p', tokens: 600, intervalMs: MINUTE }];
    expect(k.acquire({ now: clock.now(), limits, estimatedTokens: 300, retry: false })).toEqual({ granted: true });
    k.release(clock.now(), { tokensBack: 300 - 900 }); // used 900: level 600 - 900 = -300
    expect(k.acquire({ now: clock.now(), limits, estimatedTokens: 100, retry: false })).toMatchObject({
      granted: false,
      kind: 'tokens',
      retryAt: clock.now() + 40_000,
    });
    await clock.advance(40_000);
    expect(k.acquire({ now: clock.now(), limits, estimatedTokens: 100, retry: false })).toEqual({ granted: true });
  });

  it('the retry budget: minimum per window plus ratio x successes, reset by the next window', async () => {
    const clock = new ManualClock(10 * MINUTE * 1000); // a window start
    const k = memoryKey('p');
    const limits: LimitSpec[] = [{ key: 'p', intervalMs: MINUTE, retryBudget: { ratio: 0.25, minRetries: 1 } }];
    const retry = () => k.acquire({ now: clock.now(), limits, estimatedTokens: 0, retry: true }).granted;
    expect(retry()).toBe(true);
    expect(retry()).toBe(false);
    for (let i = 0; i < 4; i++) k.release(clock.now(), { success: true });
    expect(retry()).toBe(true);
    expect(retry()).toBe(false);
    expect(k.row).toMatchObject({ budgetSuccesses: 4, budgetRetries: 2, budgetRefused: 2 });
    await clock.advance(MINUTE);
    expect(retry()).toBe(true);
    expect(k.row).toMatchObject({ budgetSuccesses: 0, budgetRetries: 1 });
  });
});
