// The insight details of attempts (issue 10 §1, migration 9): host and tags given at the start,
// error name and kind, fingerprint and its version, cost and more tags given at the end. What an
// end does not give keeps what the start recorded; tags merge, the end's over the start's. Every
// way an attempt row is written carries them: startAttempt, endAttempt, commitStep, and an end
// or commit whose start was never written (host then from the run's lease).
import { describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../store/types.js';
import { LEASE_MS, T0, commitArgs, createClaimed, tokenOf, type GetStore } from './helpers.js';

const base = { stepId: 'ask#0', stepName: 'ask', workerId: 'worker-a' };
const failure = {
  outcome: 'failed' as const,
  errorClass: 'rate_limit' as const,
  errorMessage: 'HTTP 429',
  errorName: 'RateLimitError',
  errorKind: 'quota',
  fingerprint: '0123456789abcdef',
  fingerprintVersion: 1,
};
const details = (a: AttemptRecord) => ({
  attempt: a.attempt,
  outcome: a.outcome,
  errorClass: a.errorClass,
  errorMessage: a.errorMessage,
  errorName: a.errorName,
  errorKind: a.errorKind,
  fingerprint: a.fingerprint,
  fingerprintVersion: a.fingerprintVersion,
  host: a.host,
  costMicros: a.costMicros,
  tags: a.tags,
});
const none = { errorClass: null, errorMessage: null, errorName: null, errorKind: null, fingerprint: null, fingerprintVersion: null, costMicros: null };

export function attemptDetailsConformance(getStore: GetStore): void {
  describe('attempt details (error name and kind, fingerprint, host, cost, tags)', () => {
    it('keeps host and tags from the start and merges the end tags over them, through endAttempt and commitStep', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const token = tokenOf(run);
      const start = { ...base, runId: 'r1', token, leaseMs: LEASE_MS, host: 'box-1', tags: { team: 'search', model: 'm-0' } };
      await store.startAttempt({ ...start, attempt: 1, startedAt: T0 + 1 });
      await store.endAttempt({ runId: 'r1', token, stepId: 'ask#0', attempt: 1, endedAt: T0 + 2, ...failure, costMicros: 1250, tags: { model: 'gpt-4o', provider: 'openai' } });
      await store.startAttempt({ ...start, attempt: 2, startedAt: T0 + 3 });
      await store.commitStep(
        commitArgs(run, 'ask#0', { attempts: 2, now: T0 + 4 }, { attempt: { attempt: 2, endedAt: T0 + 4, outcome: 'succeeded', costMicros: 7, tags: { provider: 'anthropic' } } }),
      );
      expect((await store.listAttempts('r1')).map(details)).toEqual([
        { attempt: 1, ...failure, outcome: 'failed', host: 'box-1', costMicros: 1250, tags: { team: 'search', model: 'gpt-4o', provider: 'openai' } },
        { attempt: 2, outcome: 'succeeded', ...none, host: 'box-1', costMicros: 7, tags: { team: 'search', model: 'm-0', provider: 'anthropic' } },
      ]);
    });

    it('leaves everything null when nothing is given, and an end without tags keeps the start tags', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const token = tokenOf(run);
      await store.startAttempt({ ...base, runId: 'r1', token, leaseMs: LEASE_MS, attempt: 1, startedAt: T0 + 1 });
      await store.endAttempt({ runId: 'r1', token, stepId: 'ask#0', attempt: 1, endedAt: T0 + 2, outcome: 'failed', errorClass: 'transient' });
      await store.startAttempt({ ...base, runId: 'r1', token, leaseMs: LEASE_MS, attempt: 2, startedAt: T0 + 3, tags: { agent: 'planner' } });
      await store.commitStep(commitArgs(run, 'ask#0', { attempts: 2, now: T0 + 4 }, { attempt: { attempt: 2, endedAt: T0 + 4, outcome: 'succeeded' } }));
      expect((await store.listAttempts('r1')).map(details)).toEqual([
        { attempt: 1, outcome: 'failed', ...none, errorClass: 'transient', host: null, tags: null },
        { attempt: 2, outcome: 'succeeded', ...none, host: null, tags: { agent: 'planner' } },
      ]);
    });

    it('records the details of an end or a commit whose start was never written, with the lease holder host', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1'); // claimed by worker-a on host-a
      const token = tokenOf(run);
      await store.endAttempt({ runId: 'r1', token, stepId: 'ask#0', attempt: 1, endedAt: T0 + 2, ...failure, tags: { model: 'gpt-4o' } });
      await store.commitStep(
        commitArgs(run, 'ask#0', { attempts: 2, now: T0 + 4, status: 'failed', error: null }, { attempt: { attempt: 2, endedAt: T0 + 4, ...failure, costMicros: 3 } }),
      );
      expect((await store.listAttempts('r1')).map(details)).toEqual([
        { attempt: 1, ...failure, host: 'host-a', costMicros: null, tags: { model: 'gpt-4o' } },
        { attempt: 2, ...failure, host: 'host-a', costMicros: 3, tags: null },
      ]);
    });

    it('writes them on commits of several runs at once (a batched commit)', async () => {
      const store = getStore();
      const runs = await Promise.all(['r1', 'r2', 'r3'].map((id) => createClaimed(store, id)));
      await Promise.all(
        runs.map((run, i) =>
          store.startAttempt({ ...base, runId: run.id, token: tokenOf(run), leaseMs: LEASE_MS, attempt: 1, startedAt: T0 + 1, host: `box-${i}`, tags: { n: `${i}` } }),
        ),
      );
      await Promise.all(
        runs.map((run, i) =>
          store.commitStep(
            commitArgs(run, 'ask#0', { now: T0 + 4 }, { attempt: { attempt: 1, endedAt: T0 + 4, ...failure, fingerprint: `fp-${i}`, tags: { m: `${i}` } } }),
          ),
        ),
      );
      for (const [i, run] of runs.entries()) {
        expect((await store.listAttempts(run.id)).map(details)).toEqual([
          { attempt: 1, ...failure, fingerprint: `fp-${i}`, host: `box-${i}`, costMicros: null, tags: { n: `${i}`, m: `${i}` } },
        ]);
      }
    });
  });
}
