// Run activity verdicts over a real store (SQLite file or PostgreSQL schema), with every time
// explicit: each case builds the records a worker would write, then judges at chosen instants,
// on both sides of each threshold. Shared by the SQLite and PostgreSQL test files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { RunRecord } from '../../src/store/types.js';
import { listRunOverviews, runOverview } from '../../src/observe/run-overview.js';
import { DEFAULT_ACTIVITY_OPTIONS } from '../../src/options/activity-options.js';
import { claimArgs, commitArgs, createRun, T0, tokenOf, WF } from '../../src/testing/store-conformance/helpers.js';

const HOUR = 3_600_000;
/** "12:03:10" of an instant on T0's day (the reasons' format). */
const hms = (t: number) => new Date(t).toISOString().slice(11, 19);

export function activityScenarios(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`run activity verdicts (${name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    async function claimed(id: string, now = T0, leaseMs = HOUR): Promise<RunRecord> {
      await createRun(store, id, { now });
      const [run] = await store.claimRuns(claimArgs({ runId: id, now, leaseMs }));
      if (!run) throw new Error(`${id} not claimed`);
      return run;
    }

    async function failAttempt(run: RunRecord, stepId: string, attempt: number, startedAt: number, endedAt: number, retry: { delayMs: number } | null) {
      const token = tokenOf(run);
      await store.startAttempt({ runId: run.id, token, stepId, stepName: stepId.split('#')[0] as string, attempt, startedAt, workerId: 'w1' });
      await store.endAttempt({
        runId: run.id,
        token,
        stepId,
        attempt,
        endedAt,
        outcome: 'failed',
        errorClass: 'rate_limit',
        errorMessage: 'HTTP 429',
        events: retry
          ? [
              {
                runId: run.id,
                type: 'step.retrying',
                data: { stepId, attempt, errorClass: 'rate_limit', delayMs: retry.delayMs, message: 'HTTP 429' },
                at: endedAt,
              },
            ]
          : [],
      });
    }

    const judge = async (id: string, now: number) => (await runOverview(store, id, { now }))?.activity;

    it('a run whose step failed and waits for its scheduled retry is retrying, with the retry time; stuck once that time is long past', async () => {
      const run = await claimed('r1');
      await failAttempt(run, 'fetch#0', 1, T0 + 10, T0 + 20, { delayMs: 100 });
      await failAttempt(run, 'fetch#0', 2, T0 + 120, T0 + 200, { delayMs: 400 });
      await failAttempt(run, 'fetch#0', 3, T0 + 600, T0 + 1000, { delayMs: 2000 });
      expect(await judge('r1', T0 + 1500)).toEqual({
        state: 'retrying',
        reason: `step fetch#0 attempt 3 failed (rate_limit), retry at ${hms(T0 + 3000)}`,
        stepId: 'fetch#0',
        retryAt: T0 + 3000,
      });
      // Due but no attempt started: still retrying (the worker is about to), until noProgressMs after the due time.
      expect((await judge('r1', T0 + 3000 + DEFAULT_ACTIVITY_OPTIONS.noProgressMs))?.state).toBe('retrying');
      expect(await judge('r1', T0 + 3001 + DEFAULT_ACTIVITY_OPTIONS.noProgressMs)).toMatchObject({
        state: 'stuck',
        reason: `no attempt started or ended and no step committed for 15m (last: step fetch#0 attempt 3 failed at ${hms(T0 + 1000)})`,
      });
    });

    it('a run running a second attempt is retrying; a first attempt is running', async () => {
      const run = await claimed('r2');
      await store.commitStep(commitArgs(run, 'plan#0', { seq: 0, now: T0 + 5 }));
      await store.startAttempt({ runId: 'r2', token: tokenOf(run), stepId: 'fetch#0', stepName: 'fetch', attempt: 1, startedAt: T0 + 10, workerId: 'w1' });
      expect(await judge('r2', T0 + 50)).toEqual({
        state: 'running',
        reason: `step fetch#0 attempt 1 running since ${hms(T0 + 10)}`,
        stepId: 'fetch#0',
        retryAt: null,
      });
      await store.endAttempt({
        runId: 'r2',
        token: tokenOf(run),
        stepId: 'fetch#0',
        attempt: 1,
        endedAt: T0 + 60,
        outcome: 'timeout',
        errorClass: 'timeout',
        errorMessage: 'slow',
        events: [
          { runId: 'r2', type: 'step.retrying', data: { stepId: 'fetch#0', attempt: 1, errorClass: 'timeout', delayMs: 10, message: 'slow' }, at: T0 + 60 },
        ],
      });
      await store.startAttempt({ runId: 'r2', token: tokenOf(run), stepId: 'fetch#0', stepName: 'fetch', attempt: 2, startedAt: T0 + 70, workerId: 'w1' });
      expect(await judge('r2', T0 + 80)).toEqual({
        state: 'retrying',
        reason: `step fetch#0 attempt 2 running since ${hms(T0 + 70)} (1 failed before, last failure timeout)`,
        stepId: 'fetch#0',
        retryAt: null,
      });
    });

    it('stuck: an expired lease nobody took, too many claims without progress, a pending run nobody claims', async () => {
      await claimed('lease', T0, 1000);
      expect((await judge('lease', T0 + 1000 + 30_000))?.state).toBe('running');
      expect(await judge('lease', T0 + 1001 + 30_000)).toMatchObject({
        state: 'stuck',
        reason: `lease of worker worker-a expired at ${hms(T0 + 1000)} (30s ago), nobody took it over`,
      });

      await createRun(store, 'poison', { now: T0 });
      for (const at of [T0, T0 + 2000, T0 + 4000]) await store.claimRuns(claimArgs({ runId: 'poison', now: at, leaseMs: 1000 }));
      expect(await judge('poison', T0 + 4500)).toMatchObject({ state: 'stuck', reason: 'claimed 3 times without committing a step (stuckAfterClaims 3)' });
      expect((await runOverview(store, 'poison', { now: T0 + 4500, activity: { stuckAfterClaims: 4 } }))?.activity.state).toBe('running');

      await createRun(store, 'queued', { now: T0 });
      expect(await judge('queued', T0 + 5 * 60_000)).toMatchObject({ state: 'pending', reason: 'waiting for a worker' });
      expect(await judge('queued', T0 + 7 * 60_000)).toMatchObject({ state: 'stuck', reason: `pending for 7m (since ${hms(T0)}), no worker claimed it` });
    });

    it('sleeping, deferred by a gate, waiting for a signal, retrying under a recovery, overdue, parked', async () => {
      const a = await claimed('gated');
      await store.releaseRun({
        runId: 'gated',
        token: tokenOf(a),
        now: T0 + 10,
        status: 'sleeping',
        wakeAt: T0 + 5000,
        deferred: true,
        events: [
          {
            runId: 'gated',
            type: 'step.deferred',
            data: { stepId: 'call#0', gate: 'breaker:openai', reason: 'circuit open', retryAt: T0 + 5000 },
            at: T0 + 10,
          },
        ],
      });
      expect(await judge('gated', T0 + 20)).toEqual({
        state: 'deferred',
        reason: `step call#0 deferred by breaker:openai until ${hms(T0 + 5000)}: circuit open`,
        stepId: 'call#0',
        retryAt: T0 + 5000,
      });
      expect(await judge('gated', T0 + 5000 + 5 * 60_000 + 1)).toMatchObject({
        state: 'stuck',
        reason: `sleeping until ${hms(T0 + 5000)}, due 5m ago and no worker claimed it`,
      });

      const b = await claimed('nap');
      await store.releaseRun({ runId: 'nap', token: tokenOf(b), now: T0 + 10, status: 'sleeping', wakeAt: T0 + HOUR });
      expect(await judge('nap', T0 + 20)).toMatchObject({ state: 'sleeping', reason: `sleeping until ${hms(T0 + HOUR)}` });

      const c = await claimed('approval');
      await store.releaseRun({
        runId: 'approval',
        token: tokenOf(c),
        now: T0 + 10,
        status: 'waiting',
        wakeAt: null,
        wakeOn: { signalNames: ['approve'] },
        events: [{ runId: 'approval', type: 'run.waiting', data: { wakeAt: null, signals: ['approve'], children: [] }, at: T0 + 10 }],
      });
      expect(await judge('approval', T0 + 20)).toMatchObject({ state: 'waiting', reason: 'waiting for signal "approve"' });

      const d = await claimed('recover');
      await store.recoverRun({
        runId: 'recover',
        token: tokenOf(d),
        now: T0 + 10,
        strategy: 'resume',
        reason: 'provider down',
        error: { name: 'Error', message: 'down', errorClass: 'transient', stepId: 'call#0' },
        wakeAt: T0 + 60_000,
        events: [
          {
            runId: 'recover',
            type: 'run.recovering',
            data: { strategy: 'resume', reason: 'provider down', errorClass: 'transient', stepId: 'call#0', wakeAt: T0 + 60_000 },
            at: T0 + 10,
          },
        ],
      });
      expect(await judge('recover', T0 + 20)).toEqual({
        state: 'retrying',
        reason: `step call#0 failed (transient), recovery resumes it at ${hms(T0 + 60_000)}`,
        stepId: 'call#0',
        retryAt: T0 + 60_000,
      });

      await createRun(store, 'parked', { now: T0 });
      await store.claimRuns(claimArgs({ runId: 'parked', now: T0, leaseMs: 1000 }));
      await store.claimRuns(claimArgs({ runId: 'parked', now: T0 + 2000, leaseMs: 1000, maxClaimsWithoutProgress: 1 }));
      expect((await judge('parked', T0 + 3000))?.state).toBe('parked');
    });

    it('lists runs by state with one activity read for all of them (no query per run)', async () => {
      for (let i = 0; i < 30; i++) {
        const run = await claimed(`bulk-${String(i).padStart(2, '0')}`, T0 + i);
        if (i % 3 === 0) await failAttempt(run, 'fetch#0', 1, T0 + 100, T0 + 200, { delayMs: 60_000 });
      }
      await createRun(store, 'old-pending', { now: T0 - HOUR });
      const calls: string[] = [];
      const counted = new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.push(String(prop));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as Store;
      const retrying = await listRunOverviews(counted, { states: ['retrying'], now: T0 + 1000, limit: 100 });
      expect(retrying.map((o) => o.run.id)).toEqual([
        'bulk-27',
        'bulk-24',
        'bulk-21',
        'bulk-18',
        'bulk-15',
        'bulk-12',
        'bulk-09',
        'bulk-06',
        'bulk-03',
        'bulk-00',
      ]);
      expect(retrying.every((o) => o.activity.reason === `step fetch#0 attempt 1 failed (rate_limit), retry at ${hms(T0 + 60_200)}`)).toBe(true);
      // The live runs, then one activity read; the history of the one workflow (no completed run yet).
      expect(calls.filter((c) => c === 'listRunActivity')).toHaveLength(1);
      expect(calls.filter((c) => ['getSteps', 'listAttempts', 'listEvents', 'getRun'].includes(c))).toEqual([]);
      const stuck = await listRunOverviews(store, { states: ['stuck'], now: T0 + 1000 });
      expect(stuck.map((o) => [o.run.id, o.activity.state])).toEqual([['old-pending', 'stuck']]);
      expect((await listRunOverviews(store, { states: ['running', 'stuck'], now: T0 + 1000, limit: 5, workflow: WF })).map((o) => o.run.id)).toEqual([
        'bulk-29',
        'bulk-28',
        'bulk-26',
        'bulk-25',
        'bulk-23',
      ]);
    });
  });
}
