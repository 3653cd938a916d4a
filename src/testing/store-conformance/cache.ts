// claimCacheEntry, settleCacheEntry, listCacheEntries, deleteCacheEntries: the step cache across
// runs (src/store/cache.ts). One key is computed by one holder at a time; a result is a hit
// until it expires; a lease expires; failures give the lease up without a result.
import { describe, expect, it } from 'vitest';
import type { ClaimCacheArgs } from '../../store/cache.js';
import { T0, type GetStore } from './helpers.js';

const claimArgs = (holder: string, over: Partial<ClaimCacheArgs> = {}): ClaimCacheArgs => ({
  key: 'k1',
  workflow: 'wf',
  stepName: 'fetch',
  version: '1',
  holder,
  now: T0,
  leaseMs: 1000,
  ...over,
});

export function cacheConformance(getStore: GetStore): void {
  describe('cache', () => {
    it('gives the lease to the first holder, makes others wait, and serves the stored result until it expires', async () => {
      const store = getStore();
      expect(await store.claimCacheEntry(claimArgs('run-a:fetch#0'))).toEqual({ kind: 'compute', leaseExpiresAt: T0 + 1000 });
      expect(await store.claimCacheEntry(claimArgs('run-b:fetch#0', { now: T0 + 10 }))).toEqual({
        kind: 'wait',
        holder: 'run-a:fetch#0',
        leaseExpiresAt: T0 + 1000,
      });
      // The holder renews its own lease.
      expect(await store.claimCacheEntry(claimArgs('run-a:fetch#0', { now: T0 + 500 }))).toEqual({ kind: 'compute', leaseExpiresAt: T0 + 1500 });
      await store.settleCacheEntry({
        key: 'k1',
        holder: 'run-a:fetch#0',
        now: T0 + 600,
        value: { output: '{"v":1}', sourceRunId: 'run-a', expiresAt: T0 + 5000 },
      });
      expect(await store.claimCacheEntry(claimArgs('run-b:fetch#0', { now: T0 + 700 }))).toEqual({
        kind: 'hit',
        output: '{"v":1}',
        sourceRunId: 'run-a',
        createdAt: T0 + 600,
        expiresAt: T0 + 5000,
      });
      const [entry] = await store.listCacheEntries();
      expect(entry).toEqual({
        key: 'k1',
        workflow: 'wf',
        stepName: 'fetch',
        version: '1',
        output: '{"v":1}',
        sourceRunId: 'run-a',
        createdAt: T0 + 600,
        expiresAt: T0 + 5000,
        leaseHolder: null,
        leaseExpiresAt: null,
      });
      // Expired: the next asker computes again.
      expect(await store.claimCacheEntry(claimArgs('run-c:fetch#0', { now: T0 + 5000 }))).toEqual({ kind: 'compute', leaseExpiresAt: T0 + 6000 });
    });

    it('lets another holder take an expired lease, and a released lease at once; a failure stores nothing', async () => {
      const store = getStore();
      await store.claimCacheEntry(claimArgs('dead:fetch#0'));
      expect((await store.claimCacheEntry(claimArgs('b:fetch#0', { now: T0 + 999 }))).kind).toBe('wait');
      expect(await store.claimCacheEntry(claimArgs('b:fetch#0', { now: T0 + 1000 }))).toEqual({ kind: 'compute', leaseExpiresAt: T0 + 2000 });
      await store.settleCacheEntry({ key: 'k1', holder: 'b:fetch#0', now: T0 + 1100 }); // b's body failed
      expect(await store.claimCacheEntry(claimArgs('c:fetch#0', { now: T0 + 1200 }))).toEqual({ kind: 'compute', leaseExpiresAt: T0 + 2200 });
      const [entry] = await store.listCacheEntries();
      expect(entry).toMatchObject({ output: null, sourceRunId: null, leaseHolder: 'c:fetch#0', leaseExpiresAt: T0 + 2200 });
      // A stale holder releasing does not free c's lease.
      await store.settleCacheEntry({ key: 'k1', holder: 'b:fetch#0', now: T0 + 1300 });
      expect((await store.claimCacheEntry(claimArgs('d:fetch#0', { now: T0 + 1300 }))).kind).toBe('wait');
    });

    it('keeps the first unexpired result when a late computer settles too', async () => {
      const store = getStore();
      await store.claimCacheEntry(claimArgs('a:s'));
      await store.claimCacheEntry(claimArgs('b:s', { now: T0 + 1000 })); // a's lease expired: b computes too
      await store.settleCacheEntry({ key: 'k1', holder: 'b:s', now: T0 + 1100, value: { output: '"b"', sourceRunId: 'b', expiresAt: T0 + 9000 } });
      await store.settleCacheEntry({ key: 'k1', holder: 'a:s', now: T0 + 1200, value: { output: '"a"', sourceRunId: 'a', expiresAt: T0 + 9000 } });
      const [entry] = await store.listCacheEntries();
      expect(entry).toMatchObject({ output: '"b"', sourceRunId: 'b', leaseHolder: null });
    });

    it('grants the lease of one key to exactly one of many concurrent askers', async () => {
      const store = getStore();
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => store.claimCacheEntry(claimArgs(`r${i}:s`, { now: T0 + i }))));
      expect(claims.filter((c) => c.kind === 'compute')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'wait')).toHaveLength(11);
    });

    it('lists and deletes by workflow and step; a key deleted while computed stays deleted', async () => {
      const store = getStore();
      await store.claimCacheEntry(claimArgs('a:s', { key: 'k1' }));
      await store.claimCacheEntry(claimArgs('a:t', { key: 'k2', stepName: 'summarise' }));
      await store.claimCacheEntry(claimArgs('a:u', { key: 'k3', workflow: 'other' }));
      expect((await store.listCacheEntries({ workflow: 'wf' })).map((e) => e.key)).toEqual(['k1', 'k2']);
      expect((await store.listCacheEntries({ workflow: 'wf', stepName: 'summarise' })).map((e) => e.key)).toEqual(['k2']);
      expect(await store.deleteCacheEntries({ workflow: 'wf', stepName: 'fetch' })).toBe(1);
      await store.settleCacheEntry({ key: 'k1', holder: 'a:s', now: T0 + 1, value: { output: '1', sourceRunId: 'a', expiresAt: T0 + 100 } });
      expect((await store.listCacheEntries()).map((e) => e.key)).toEqual(['k3', 'k2']); // by workflow: 'other' first
      expect(await store.deleteCacheEntries()).toBe(2);
      expect(await store.listCacheEntries()).toEqual([]);
    });
  });
}
