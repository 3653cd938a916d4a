// acquireLimits, renewLimitSlots, releaseLimits, listLimits: slots under leases, buckets,
// all-or-nothing over several keys, token reconciliation, retry budgets.
import { describe, expect, it } from 'vitest';
import type { AcquireLimitsArgs, LimitSpec } from '../../store/limits.js';
import { T0, type GetStore } from './helpers.js';

const MINUTE = 60_000;

function acquire(over: Partial<AcquireLimitsArgs> & { limits: LimitSpec[] }): AcquireLimitsArgs {
  return { holder: 'h1', now: T0, leaseMs: 10_000, estimatedTokens: 0, retry: false, ...over };
}

export function limitsConformance(getStore: GetStore): void {
  describe('limits', () => {
    it('grants at most K slots of a key; a released or expired slot is free again', async () => {
      const store = getStore();
      const limits = [{ key: 'openai', concurrency: 2, intervalMs: MINUTE }];
      expect(await store.acquireLimits(acquire({ holder: 'a', limits }))).toEqual({ granted: true });
      expect(await store.acquireLimits(acquire({ holder: 'b', limits, now: T0 + 1 }))).toEqual({ granted: true });
      expect(await store.acquireLimits(acquire({ holder: 'c', limits, now: T0 + 2 }))).toEqual({
        granted: false,
        kind: 'concurrency',
        key: 'openai',
        retryAt: T0 + 10_000,
        reason: '"openai": 2 of 2 concurrent calls in use',
      });
      // The same holder again replaces its own slot instead of taking a second one.
      expect(await store.acquireLimits(acquire({ holder: 'a', limits, now: T0 + 3 }))).toEqual({ granted: true });
      await store.releaseLimits({ holder: 'a', now: T0 + 4, keys: [{ key: 'openai' }] });
      expect(await store.acquireLimits(acquire({ holder: 'c', limits, now: T0 + 5 }))).toEqual({ granted: true });
      // b's lease (T0 + 1 + 10 s) lapses: its slot frees itself; renewing c keeps c's.
      expect(await store.renewLimitSlots({ holder: 'c', expiresAt: T0 + 30_000 })).toBe(1);
      expect(await store.acquireLimits(acquire({ holder: 'd', limits, now: T0 + 10_001 }))).toEqual({ granted: true });
      expect((await store.acquireLimits(acquire({ holder: 'e', limits, now: T0 + 10_002 }))).granted).toBe(false);
      expect(await store.renewLimitSlots({ holder: 'gone', expiresAt: T0 })).toBe(0);
      const [status] = await store.listLimits(T0 + 10_003);
      expect(status).toMatchObject({ key: 'openai', concurrency: 2, inUse: 2, throttled: 2 });
    });

    it('a calls bucket refills continuously and says when the next call fits', async () => {
      const store = getStore();
      const limits = [{ key: 'p', calls: 2, intervalMs: MINUTE }];
      expect((await store.acquireLimits(acquire({ holder: 'a', limits }))).granted).toBe(true);
      expect((await store.acquireLimits(acquire({ holder: 'b', limits }))).granted).toBe(true);
      expect(await store.acquireLimits(acquire({ holder: 'c', limits, now: T0 + 1000 }))).toEqual({
        granted: false,
        kind: 'calls',
        key: 'p',
        retryAt: T0 + 30_000,
        reason: `"p": 2 calls per ${MINUTE} ms used up`,
      });
      expect((await store.acquireLimits(acquire({ holder: 'c', limits, now: T0 + 30_000 }))).granted).toBe(true);
      expect((await store.listLimits(T0 + 30_000))[0]?.calls).toEqual({ capacity: 2, left: 0 });
    });

    it('several limits on one call: all or nothing', async () => {
      const store = getStore();
      const user = { key: 'customer-42', concurrency: 1, intervalMs: MINUTE };
      const provider = { key: 'openai', concurrency: 5, calls: 10, tokens: 1000, intervalMs: MINUTE };
      expect((await store.acquireLimits(acquire({ holder: 'a', limits: [user, provider], estimatedTokens: 400 }))).granted).toBe(true);
      // The user's slot is taken: nothing of the provider is spent by the refused call.
      const refused = await store.acquireLimits(acquire({ holder: 'b', limits: [provider, user], estimatedTokens: 400, now: T0 + 1 }));
      expect(refused).toMatchObject({ granted: false, kind: 'concurrency', key: 'customer-42' });
      const byKey = Object.fromEntries((await store.listLimits(T0 + 1)).map((s) => [s.key, s]));
      expect(byKey.openai).toMatchObject({ inUse: 1, calls: { capacity: 10, left: 9 }, tokens: { capacity: 1000, left: 600 }, throttled: 0 });
      expect(byKey['customer-42']).toMatchObject({ inUse: 1, concurrency: 1, throttled: 1 });
      // Tokens short on the provider: the user's free slot is not taken either.
      await store.releaseLimits({ holder: 'a', now: T0 + 2, keys: [{ key: 'customer-42' }, { key: 'openai' }] });
      const short = await store.acquireLimits(acquire({ holder: 'c', limits: [user, provider], estimatedTokens: 700, now: T0 + 2 }));
      expect(short).toMatchObject({ granted: false, kind: 'tokens', key: 'openai' });
      // 100 tokens short at 1000 per minute: about 6 s (the 2 ms since the reservation refilled a little).
      const retryAt = short.granted ? 0 : (short.retryAt ?? 0);
      expect(retryAt).toBeGreaterThanOrEqual(T0 + 5990);
      expect(retryAt).toBeLessThanOrEqual(T0 + 6002);
      expect((await store.listLimits(T0 + 2)).map((s) => [s.key, s.inUse])).toEqual([
        ['customer-42', 0],
        ['openai', 0],
      ]);
    });

    it('reconciles reserved tokens with the real usage', async () => {
      const store = getStore();
      const limits = [{ key: 'openai', tokens: 1000, intervalMs: MINUTE }];
      await store.acquireLimits(acquire({ holder: 'a', limits, estimatedTokens: 500 }));
      await store.releaseLimits({ holder: 'a', now: T0, keys: [{ key: 'openai', tokensBack: 500 - 120 }] });
      expect((await store.listLimits(T0))[0]?.tokens).toEqual({ capacity: 1000, left: 880 });
      await store.acquireLimits(acquire({ holder: 'b', limits, estimatedTokens: 100 }));
      // Used more than estimated: the bucket goes into debt and the next call waits for it.
      await store.releaseLimits({ holder: 'b', now: T0, keys: [{ key: 'openai', tokensBack: 100 - 900 }] });
      expect((await store.listLimits(T0))[0]?.tokens).toEqual({ capacity: 1000, left: -20 });
      expect(await store.acquireLimits(acquire({ holder: 'c', limits, estimatedTokens: 10, now: T0 }))).toMatchObject({
        granted: false,
        kind: 'tokens',
        retryAt: T0 + 1800,
      });
    });

    it('a retry budget grants retries up to minimum + ratio x successes per window, then refuses for good', async () => {
      const store = getStore();
      const limits = [{ key: 'k', intervalMs: MINUTE, retryBudget: { ratio: 0.5, minRetries: 1 } }];
      const w = Math.ceil(T0 / MINUTE) * MINUTE; // the start of a window
      expect((await store.acquireLimits(acquire({ holder: 'r1', limits, retry: true, now: w }))).granted).toBe(true);
      expect(await store.acquireLimits(acquire({ holder: 'r2', limits, retry: true, now: w + 1 }))).toEqual({
        granted: false,
        kind: 'retry_budget',
        key: 'k',
        retryAt: null,
        reason: 'retry budget of "k" spent: 1 retries for 0 successes in this window (ratio 0.5, minimum 1)',
      });
      // A first attempt never spends the budget; two successes buy one more retry.
      expect((await store.acquireLimits(acquire({ holder: 'f', limits, now: w + 2 }))).granted).toBe(true);
      await store.releaseLimits({ holder: 'f', now: w + 3, keys: [{ key: 'k', success: true }] });
      await store.releaseLimits({ holder: 'g', now: w + 3, keys: [{ key: 'k', success: true }] });
      expect((await store.acquireLimits(acquire({ holder: 'r2', limits, retry: true, now: w + 4 }))).granted).toBe(true);
      expect((await store.acquireLimits(acquire({ holder: 'r3', limits, retry: true, now: w + 5 }))).granted).toBe(false);
      // The next window starts from its minimum again.
      expect((await store.acquireLimits(acquire({ holder: 'r3', limits, retry: true, now: w + MINUTE }))).granted).toBe(true);
      expect((await store.listLimits(w + MINUTE))[0]?.retryBudget).toEqual({ successes: 0, retries: 1, retryWaitMs: 0, refused: 2 });
    });

    it('a retry budget refuses retries once the Retry-After waits of the window exceed the cap', async () => {
      const store = getStore();
      const limits = [{ key: 'k', intervalMs: MINUTE, retryBudget: { ratio: 1, minRetries: 100, maxRetryWaitMs: 5000 } }];
      const w = Math.ceil(T0 / MINUTE) * MINUTE;
      expect((await store.acquireLimits(acquire({ holder: 'x', limits, now: w }))).granted).toBe(true);
      await store.releaseLimits({ holder: 'x', now: w, keys: [{ key: 'k', retryWaitMs: 3000 }] });
      expect((await store.acquireLimits(acquire({ limits, retry: true, now: w + 1 }))).granted).toBe(true);
      await store.releaseLimits({ holder: 'h1', now: w + 2, keys: [{ key: 'k', retryWaitMs: 3000 }] });
      expect(await store.acquireLimits(acquire({ limits, retry: true, now: w + 3 }))).toMatchObject({
        granted: false,
        kind: 'retry_budget',
        reason: 'retry budget of "k" spent: Retry-After waits of 6000 ms in this window exceed maxRetryWaitMs 5000',
      });
    });
  });
}
