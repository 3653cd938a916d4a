// The attempt columns of fallback chains (issue 8 §2): an attempt records the alternative it ran
// and, on the last attempt of an alternative the chain left, why it moved on. A plain step's
// attempts have both null; an end that does not name them keeps what the start recorded.
import { describe, expect, it } from 'vitest';
import { LEASE_MS, T0, commitArgs, createClaimed, tokenOf, type GetStore } from './helpers.js';

const base = { stepId: 'ask#0', stepName: 'ask', workerId: 'worker-a' };
/** The end of attempt 1 of ask#0 in run r1, without its outcome. */
const firstEnd = (token: string) => ({ runId: 'r1', token, stepId: 'ask#0', attempt: 1, endedAt: T0 + 2 });
const pick = (a: { attempt: number; alternative: string | null; movedOn: string | null; outcome: string }) => [a.attempt, a.alternative, a.movedOn, a.outcome];

export function fallbackAttemptsConformance(getStore: GetStore): void {
  describe('fallback alternatives on attempts', () => {
    it('keeps the alternative from the start and the reason from the end, through a commit', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const token = tokenOf(run);
      await store.startAttempt({ ...base, runId: 'r1', token, leaseMs: LEASE_MS, attempt: 1, startedAt: T0 + 1, alternative: 'gpt-4o' });
      await store.endAttempt({ ...firstEnd(token), outcome: 'failed', errorClass: 'rate_limit', movedOn: 'rate_limit: HTTP 429, moved to claude' });
      await store.startAttempt({ ...base, runId: 'r1', token, leaseMs: LEASE_MS, attempt: 2, startedAt: T0 + 3, alternative: 'claude' });
      await store.commitStep(commitArgs(run, 'ask#0', { attempts: 2, now: T0 + 4 }, { attempt: { attempt: 2, endedAt: T0 + 4, outcome: 'succeeded' } }));
      expect((await store.listAttempts('r1')).map(pick)).toEqual([
        [1, 'gpt-4o', 'rate_limit: HTTP 429, moved to claude', 'failed'],
        [2, 'claude', null, 'succeeded'],
      ]);
    });

    it('records both on an end or a commit whose start was never written', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const token = tokenOf(run);
      await store.endAttempt({ ...firstEnd(token), outcome: 'timeout', errorClass: 'timeout', alternative: 'a', movedOn: 'timeout: slow, moved to b' });
      await store.commitStep(
        commitArgs(run, 'ask#0', { attempts: 2, now: T0 + 4 }, { attempt: { attempt: 2, endedAt: T0 + 4, outcome: 'succeeded', alternative: 'b' } }),
      );
      expect((await store.listAttempts('r1')).map(pick)).toEqual([
        [1, 'a', 'timeout: slow, moved to b', 'timeout'],
        [2, 'b', null, 'succeeded'],
      ]);
    });

    it('leaves both null for a plain step', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.startAttempt({ ...base, runId: 'r1', token: tokenOf(run), leaseMs: LEASE_MS, attempt: 1, startedAt: T0 + 1 });
      await store.commitStep(commitArgs(run, 'ask#0', {}, { attempt: { attempt: 1, endedAt: T0 + 10, outcome: 'succeeded' } }));
      expect((await store.listAttempts('r1')).map(pick)).toEqual([[1, null, null, 'succeeded']]);
    });
  });
}
