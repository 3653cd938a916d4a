// updateBreaker, listBreakers: shared circuit breakers (the machine is src/breakers/machine.ts;
// these cases hold a backend to keeping its state per key, atomically, with probe leases).
import { describe, expect, it } from 'vitest';
import { breakerConfig } from '../../breakers/config.js';
import type { CallOutcome } from '../../breakers/machine.js';
import { T0, type GetStore } from './helpers.js';

const config = breakerConfig({ windowSize: 10, minimumCalls: 4, failureRateThreshold: 50, coolDownMs: 1000, halfOpenProbes: 2 }, 'conformance');
const FAIL: CallOutcome = { kind: 'failure', durationMs: 5 };
const OK: CallOutcome = { kind: 'success', durationMs: 5 };

export function breakersConformance(getStore: GetStore): void {
  describe('breakers', () => {
    it('creates a key closed on first use, counts outcomes and opens at the threshold', async () => {
      const store = getStore();
      expect(await store.listBreakers()).toEqual([]);
      const first = await store.updateBreaker({ key: 'llm:a', config, now: T0, outcomes: [{ outcome: OK }, { outcome: FAIL }, { outcome: OK }] });
      expect(first.transitions).toEqual([]);
      expect(first.record).toMatchObject({ key: 'llm:a', updatedAt: T0, data: { state: 'closed', window: { marks: [0, 1, 0] } } });
      const opened = await store.updateBreaker({ key: 'llm:a', config, now: T0 + 1, outcomes: [{ outcome: FAIL }] });
      expect(opened.transitions).toEqual([
        {
          from: 'closed',
          to: 'open',
          at: T0 + 1,
          reason: '2 of 4 calls failed (50 % >= 50 %)',
          openUntil: T0 + 1001,
          failureRate: 50,
          slowCallRate: 0,
          calls: 4,
        },
      ]);
      const [stored] = await store.listBreakers(['llm:a', 'llm:unknown']);
      expect(stored).toMatchObject({ key: 'llm:a', updatedAt: T0 + 1, data: { state: 'open', openUntil: T0 + 1001, window: { marks: [] } } });
      await store.updateBreaker({ key: 'llm:b', config, now: T0 });
      expect((await store.listBreakers()).map((b) => b.key)).toEqual(['llm:a', 'llm:b']);
    });

    it('loses no outcome when many updates of one key run at once', async () => {
      const store = getStore();
      const wide = breakerConfig({ windowSize: 1000, minimumCalls: 1000 }, 'conformance');
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.updateBreaker({ key: 'k', config: wide, now: T0 + i, outcomes: [{ outcome: i % 2 ? OK : FAIL }] })),
      );
      const [stored] = await store.listBreakers(['k']);
      const marks = (stored?.data.window as { marks: number[] }).marks;
      expect(marks).toHaveLength(40);
      expect(marks.filter((m) => m === 1)).toHaveLength(20);
    });

    it('refuses calls while open, then grants halfOpenProbes probe leases; an expired lease is granted again', async () => {
      const store = getStore();
      await store.updateBreaker({ key: 'k', config, now: T0, outcomes: [FAIL, FAIL, FAIL, FAIL].map((outcome) => ({ outcome })) });
      const refused = await store.updateBreaker({ key: 'k', config, now: T0 + 999, acquire: { holder: 'w1', leaseMs: 500 } });
      expect(refused.acquired).toEqual({ admitted: false, retryAt: T0 + 1000, reason: 'circuit open: 4 of 4 calls failed (100 % >= 50 %)', state: 'open' });
      const p1 = await store.updateBreaker({ key: 'k', config, now: T0 + 1000, acquire: { holder: 'w1', leaseMs: 500 } });
      expect(p1.acquired).toEqual({ admitted: true, probe: true });
      expect(p1.transitions.map((t) => [t.from, t.to])).toEqual([['open', 'half_open']]);
      expect((await store.updateBreaker({ key: 'k', config, now: T0 + 1001, acquire: { holder: 'w2', leaseMs: 500 } })).acquired).toEqual({
        admitted: true,
        probe: true,
      });
      // Both probes are held: a third worker waits until the first lease could expire.
      expect((await store.updateBreaker({ key: 'k', config, now: T0 + 1002, acquire: { holder: 'w3', leaseMs: 500 } })).acquired).toEqual({
        admitted: false,
        retryAt: T0 + 1500,
        reason: 'circuit half-open: its 2 probe call(s) are taken',
        state: 'half_open',
      });
      // w1 died without settling: its lease expires and w3 gets it.
      expect((await store.updateBreaker({ key: 'k', config, now: T0 + 1500, acquire: { holder: 'w3', leaseMs: 500 } })).acquired).toEqual({
        admitted: true,
        probe: true,
      });
      // A probe that says nothing (a validation error) frees its lease; w2 and w3 succeed: closed.
      const w2 = await store.updateBreaker({ key: 'k', config, now: T0 + 1600, outcomes: [{ outcome: OK, holder: 'w2' }] });
      expect(w2.record.data).toMatchObject({ state: 'half_open', probeSuccesses: 1 });
      const closed = await store.updateBreaker({ key: 'k', config, now: T0 + 1601, outcomes: [{ outcome: OK, holder: 'w3' }] });
      expect(closed.transitions).toEqual([{ from: 'half_open', to: 'closed', at: T0 + 1601, reason: '2 probe call(s) succeeded' }]);
      expect((await store.updateBreaker({ key: 'k', config, now: T0 + 1602, acquire: { holder: 'w9', leaseMs: 500 } })).acquired).toEqual({
        admitted: true,
        probe: false,
      });
    });

    it('a failed probe re-opens; a failure naming a quota reset opens until then', async () => {
      const store = getStore();
      await store.updateBreaker({ key: 'k', config, now: T0, outcomes: [FAIL, FAIL, FAIL, FAIL].map((outcome) => ({ outcome })) });
      await store.updateBreaker({ key: 'k', config, now: T0 + 1000, acquire: { holder: 'w1', leaseMs: 500 } });
      const reopened = await store.updateBreaker({ key: 'k', config, now: T0 + 1100, outcomes: [{ outcome: FAIL, holder: 'w1' }] });
      expect(reopened.transitions).toEqual([{ from: 'half_open', to: 'open', at: T0 + 1100, reason: 'a probe call failed', openUntil: T0 + 2100 }]);
      const quota = await store.updateBreaker({ key: 'q', config, now: T0, outcomes: [{ outcome: { kind: 'failure', durationMs: 1, retryAfterMs: 60_000 } }] });
      expect(quota.record.data).toMatchObject({ state: 'open', openUntil: T0 + 60_000, reason: 'the dependency asked to wait 60000 ms (quota reset)' });
    });
  });
}
