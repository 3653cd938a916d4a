// The insight details of attempts (issue 10 §1, migration 9): host and tags given at the start,
// error name and kind, fingerprint and its version, cost and more tags given at the end. What an
// end does not give keeps what the start recorded; tags merge, the end's over the start's. Every
// way an attempt row is written carries them: startAttempt, endAttempt, commitStep, and an end
// or commit whose start was never written (host then from the run's lease).
import { describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../store/types.js';
import { LEASE_MS, T0, WF, commitArgs, createClaimed, tokenOf, type GetStore } from './helpers.js';

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
      await store.endAttempt({
        runId: 'r1',
        token,
        stepId: 'ask#0',
        attempt: 1,
        endedAt: T0 + 2,
        ...failure,
        costMicros: 1250,
        tags: { model: 'gpt-4o', provider: 'openai' },
      });
      await store.startAttempt({ ...start, attempt: 2, startedAt: T0 + 3 });
      await store.commitStep(
        commitArgs(
          run,
          'ask#0',
          { attempts: 2, now: T0 + 4 },
          { attempt: { attempt: 2, endedAt: T0 + 4, outcome: 'succeeded', costMicros: 7, tags: { provider: 'anthropic' } } },
        ),
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
        commitArgs(
          run,
          'ask#0',
          { attempts: 2, now: T0 + 4, status: 'failed', error: null },
          { attempt: { attempt: 2, endedAt: T0 + 4, ...failure, costMicros: 3 } },
        ),
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
          store.startAttempt({
            ...base,
            runId: run.id,
            token: tokenOf(run),
            leaseMs: LEASE_MS,
            attempt: 1,
            startedAt: T0 + 1,
            host: `box-${i}`,
            tags: { n: `${i}` },
          }),
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

    it('lists failed and timed-out attempts by id with their workflow, and sets fingerprints by id', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const token = tokenOf(run);
      const end = { runId: 'r1', token, stepId: 'ask#0', endedAt: T0 + 2 };
      await store.endAttempt({ ...end, attempt: 1, outcome: 'failed', errorClass: 'transient', errorMessage: 'a' });
      await store.endAttempt({ ...end, attempt: 2, outcome: 'timeout', errorClass: 'timeout', errorMessage: 'b' });
      await store.endAttempt({ ...end, attempt: 3, outcome: 'interrupted', errorClass: 'interrupted' });
      await store.endAttempt({ ...end, attempt: 4, outcome: 'succeeded' });
      const all = await store.listFailedAttempts({ afterId: 0, limit: 10 });
      expect(all.map((a) => [a.attempt, a.outcome, a.workflow])).toEqual([
        [1, 'failed', WF],
        [2, 'timeout', WF],
      ]);
      const [first, second] = all;
      expect(await store.listFailedAttempts({ afterId: first!.id, limit: 10 })).toHaveLength(1);
      expect(await store.listFailedAttempts({ afterId: 0, limit: 1 })).toHaveLength(1);
      await store.setFingerprints([
        { id: first!.id, fingerprint: 'aaaa', fingerprintVersion: 2 },
        { id: second!.id, fingerprint: 'bbbb', fingerprintVersion: 2 },
      ]);
      expect((await store.listAttempts('r1')).map((a) => [a.attempt, a.fingerprint, a.fingerprintVersion])).toEqual([
        [1, 'aaaa', 2],
        [2, 'bbbb', 2],
        [3, null, null],
        [4, null, null],
      ]);
    });

    it('counts what the steps completed in a window ran with, per workflow and step', async () => {
      const store = getStore();
      const flags = [1 | 2, 1, 4 | 8 | 2, 4, 0];
      for (const [i, ranWith] of flags.entries()) {
        const run = await createClaimed(store, `r${i}`);
        const step = i < 2 ? 'fetch#0' : i < 4 ? 'pay#0' : 'late#0';
        // The last one completes at the window's end: outside [since, until).
        await store.commitStep(commitArgs(run, step, { ranWith, now: i === 4 ? T0 + 100 : T0 + 10 + i }));
      }
      // A record without flags (a sleep, or written before migration 16) is not counted.
      const other = await createClaimed(store, 'r9');
      await store.commitStep(commitArgs(other, 'fetch#0', { now: T0 + 20 }));
      expect(await store.stepCoverage({ since: T0, until: T0 + 100 })).toEqual([
        { workflow: WF, step: 'fetch', steps: 2, withTimeout: 2, withRetries: 1, sideEffects: 0, sideEffectsKeyRead: 0 },
        { workflow: WF, step: 'pay', steps: 2, withTimeout: 0, withRetries: 1, sideEffects: 2, sideEffectsKeyRead: 1 },
      ]);
      expect(await store.stepCoverage({ since: T0, until: T0 + 100, workflow: 'another' })).toEqual([]);
      expect((await store.getSteps('r2'))[0]?.ranWith).toBe(4 | 8 | 2);
      expect((await store.getSteps('r9'))[0]?.ranWith).toBeUndefined();
    });
  });
}
