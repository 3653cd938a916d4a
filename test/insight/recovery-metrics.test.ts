// Recovery metrics from histories the real engine made (a real SQLite file, a ManualClock): runs
// that succeed at once, recover through a retry, a timeout and a retry, a fallback, a resume
// decision, and one that fails for good on a configuration error. The expected figures are derived
// here from the scenario (and, for times, from the raw attempt rows), not by the metrics code.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { recoveryReport } from '../../src/insight/recovery-report.js';
import { failureReason, incidentOf, median } from '../../src/insight/recovery.js';
import type { AttemptRecord } from '../../src/store/types.js';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline, type EngineEvent, type LifelineOptions } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
const names: string[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  for (const n of names.splice(0)) unregisterWorkflow(n);
});
const pg = usePostgres();

/** A client with one started worker on `store` (SQLite file or PostgreSQL schema), on `clock`. */
async function engineOn(
  opened: { store: Store; cleanup: () => Promise<void> },
  clock: ManualClock,
  defs: NonNullable<LifelineOptions['workflows']>,
): Promise<TestEngine> {
  const lifeline = await Lifeline.open({ db: opened.store, clock, workflows: defs });
  const events: EngineEvent[] = [];
  lifeline.events.on('event', (e) => events.push(e));
  const worker = lifeline.worker({ pollMs: 20 });
  worker.start();
  return {
    lifeline,
    worker,
    db: '',
    events,
    close: async () => {
      await lifeline.close();
      await opened.cleanup();
    },
  };
}

const transient = () => Object.assign(new Error('connection reset by peer'), { code: 'ECONNRESET' });
const noJitter = { jitter: 'none' as const };

function workflows() {
  const calls = { retry: 0, timeout: 0, resume: 0 };
  let hung: () => void = () => {};
  const hanging = new Promise<void>((r) => (hung = r));
  const defs = [
    defineWorkflow('rm.ok', async (ctx) => ctx.step('s', () => 'fine')),
    defineWorkflow('rm.retry', async (ctx) =>
      ctx.step(
        'fetch',
        () => {
          if (++calls.retry === 1) throw transient();
          return 'ok';
        },
        { retry: { maxAttempts: 3, initialDelayMs: 1000, ...noJitter } },
      ),
    ),
    defineWorkflow('rm.timeout', async (ctx) =>
      ctx.step(
        'slow',
        ({ signal }) => {
          if (++calls.timeout > 1) return 'ok';
          hung();
          return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
        },
        { timeout: 500, retry: { maxAttempts: 2, initialDelayMs: 2000, ...noJitter } },
      ),
    ),
    defineWorkflow('rm.fallback', async (ctx) =>
      ctx.fallback('ask', [
        {
          name: 'gpt',
          run: () => {
            throw Object.assign(new Error('Too many requests'), { status: 429 });
          },
        },
        { name: 'claude', run: () => 'answer' },
      ]),
    ),
    defineWorkflow('rm.config', async (ctx) =>
      ctx.step('call', () => {
        throw new ClassifiedError('API key rejected', { errorClass: 'configuration', kind: 'auth' });
      }),
    ),
    defineWorkflow(
      'rm.resume',
      async (ctx) =>
        ctx.step(
          'b',
          () => {
            if (++calls.resume === 1) throw transient();
            return 'ok';
          },
          { retry: { maxAttempts: 1 } },
        ),
      { recovery: [{ on: 'transient', strategy: 'resume', delay: '10s' }] },
    ),
  ];
  names.push(...defs.map((d) => d.name));
  return { defs, hanging };
}

async function scenario(open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): Promise<void> {
  const clock = new ManualClock();
  const { defs, hanging } = workflows();
  engine = await engineOn(await open(), clock, defs);
  const e = engine;
  const done = (runId: string) => waitForEvent(e, (ev) => ev.runId === runId && (ev.type === 'run.completed' || ev.type === 'run.failed'));
  const start = (name: string) => e.lifeline.start(name, null).then((h) => h.runId);
  const ok = [await start('rm.ok'), await start('rm.ok'), await start('rm.ok')];
  const [retry, timeout, fallback, config, resume] = [
    await start('rm.retry'),
    await start('rm.timeout'),
    await start('rm.fallback'),
    await start('rm.config'),
    await start('rm.resume'),
  ];
  await Promise.all([...ok, fallback, config].map(done));
  await waitForEvent(e, (ev) => ev.runId === retry && ev.type === 'step.retrying');
  await waitForEvent(e, (ev) => ev.runId === resume && ev.type === 'run.recovering');
  await hanging;
  await clock.advance(500); // the timeout fires
  await waitForEvent(e, (ev) => ev.runId === timeout && ev.type === 'step.retrying');
  await clock.advance(500); // the retry's 1 s delay is over
  await done(retry);
  await clock.advance(1500); // the timeout's 2 s retry delay is over
  await done(timeout);
  for (let i = 0; i < 40 && (await e.lifeline.getRun(resume))?.status !== 'completed'; i++) await clock.advance(250);
  await done(resume);

  const report = await recoveryReport(e.lifeline, { since: '1h' });

  // 8 runs: 3 first try, 4 recovered (retry, timeout, fallback, resume), 1 unrecoverable (config).
  expect(report.total).toMatchObject({ runs: 8, firstTry: 3, recovered: 4, unrecoverable: 1, incidents: 5 });
  expect(report.total.firstTryRate).toBeCloseTo(3 / 8, 12);
  expect(report.total.recoveredRate).toBeCloseTo(4 / 8, 12);
  expect(report.total.unrecoverableRate).toBeCloseTo(1 / 8, 12);
  expect(report.total.reasons).toEqual({ interrupted: 0, timeout: 1, provider: 3, configuration: 1, unknown: 0 });

  // Times to recover, from the raw rows: first failure's end to the failing step's next success
  // (resume: to the run's end, when its decision ended recovered).
  const rows = async (runId: string) => e.lifeline.store.listAttempts(runId);
  const firstFailEnd = async (runId: string) => (await rows(runId)).find((a) => a.outcome !== 'succeeded')!.endedAt!;
  const successEnd = async (runId: string) => (await rows(runId)).find((a) => a.outcome === 'succeeded')!.endedAt!;
  const [decision] = await e.lifeline.store.listRecoveries({ runId: resume });
  const times = {
    retry: (await successEnd(retry)) - (await firstFailEnd(retry)),
    timeout: (await successEnd(timeout)) - (await firstFailEnd(timeout)),
    fallback: (await successEnd(fallback)) - (await firstFailEnd(fallback)),
    resume: decision!.endedAt! - (await firstFailEnd(resume)),
  };
  expect(times.retry).toBe(1000); // the retry delay, on the manual clock
  expect(times.timeout).toBe(2000);
  expect(times.fallback).toBe(0); // a 429 moves on at once
  expect(times.resume).toBeGreaterThanOrEqual(10_000); // the resume delay, then the next claim
  const all = Object.values(times);
  expect(report.total.meanRecoveryMs).toBeCloseTo(all.reduce((a, b) => a + b, 0) / 4, 9);
  const sorted = [...all].sort((a, b) => a - b);
  expect(report.total.medianRecoveryMs).toBe((sorted[1]! + sorted[2]!) / 2);

  expect(Object.keys(report.byStrategy).sort()).toEqual(['fallback', 'resume', 'retry']);
  expect(report.byStrategy.retry).toMatchObject({ incidents: 3, recovered: 2, unrecoverable: 1, reasons: { provider: 1, timeout: 1, configuration: 1 } });
  expect(report.byStrategy.retry!.meanRecoveryMs).toBe(1500);
  expect(report.byStrategy.fallback).toMatchObject({ incidents: 1, recovered: 1, medianRecoveryMs: 0, reasons: { provider: 1 } });
  expect(report.byStrategy.resume).toMatchObject({ incidents: 1, recovered: 1, medianRecoveryMs: times.resume, reasons: { provider: 1 } });
  expect(report.byWorkflow['rm.ok']).toMatchObject({ runs: 3, firstTry: 3, firstTryRate: 1, incidents: 0, meanRecoveryMs: null });
  expect(report.byWorkflow['rm.config']).toMatchObject({ runs: 1, unrecoverable: 1, unrecoverableRate: 1, reasons: { configuration: 1 } });

  const journal = Object.fromEntries(report.journal.map((i) => [i.workflow, i]));
  expect(report.journal).toHaveLength(5);
  expect(journal['rm.config']).toMatchObject({
    runId: config,
    stepId: 'call#0',
    errorClass: 'configuration',
    errorKind: 'auth', // the engine records the kind the classifier recognised (issue 10 §1)
    error: expect.stringContaining('API key rejected'),
    reason: 'configuration',
    strategy: 'retry',
    outcome: 'unrecoverable',
    recoveryMs: null,
    failedAttempts: 1,
  });
  expect(journal['rm.fallback']).toMatchObject({
    runId: fallback,
    stepId: 'ask#0',
    errorClass: 'rate_limit',
    strategy: 'fallback',
    outcome: 'recovered',
    recoveryMs: 0,
  });
  expect(journal['rm.timeout']).toMatchObject({ errorClass: 'timeout', reason: 'timeout', strategy: 'retry', recoveryMs: 2000 });
  expect(journal['rm.resume']).toMatchObject({ strategy: 'resume', reason: 'provider', outcome: 'recovered', recoveryMs: times.resume });
  expect(report.journal[0]!.firstFailureAt).toBeGreaterThanOrEqual(report.journal[4]!.firstFailureAt);
  expect(report.since).toBe(clock.now() - 3_600_000);
  expect((await recoveryReport(e.lifeline, { workflow: 'rm.ok' })).journal).toEqual([]);
}

describe('recovery metrics from the real engine', () => {
  it('on SQLite: first-try, recovered and unrecoverable shares, times to recover, reasons per strategy and workflow, the journal', async () => {
    const tmp = tempDir();
    await scenario(async () => ({ store: await openSqliteStore(`${tmp.dir}/rm.db`), cleanup: async () => tmp.cleanup() }));
  });

  it('on PostgreSQL: the same figures', async () => {
    await scenario(() => pg.openFresh({ leaseClock: 'caller' }));
  });

  it('reasons map outcomes first, then classes and kinds; the exit code or signal is picked from its message; medians of even counts average the middle pair', () => {
    expect(failureReason({ outcome: 'interrupted', errorClass: null, errorKind: null })).toBe('interrupted');
    expect(failureReason({ outcome: 'failed', errorClass: 'cancelled', errorKind: null })).toBe('interrupted');
    expect(failureReason({ outcome: 'timeout', errorClass: 'timeout', errorKind: null })).toBe('timeout');
    expect(failureReason({ outcome: 'failed', errorClass: 'dependency', errorKind: 'auth' })).toBe('configuration');
    expect(failureReason({ outcome: 'failed', errorClass: 'rate_limit', errorKind: null })).toBe('provider');
    expect(failureReason({ outcome: 'failed', errorClass: 'logic', errorKind: null })).toBe('unknown');
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const run = { id: 'r', workflow: 'agents', status: 'failed' as const, createdAt: 0, updatedAt: 10 };
    const agentAttempt = (message: string, outcome: 'failed' | 'interrupted', errorClass: 'logic' | 'interrupted') =>
      ({
        runId: 'r',
        stepId: 'agent#0',
        stepName: 'agent',
        attempt: 1,
        startedAt: 1,
        endedAt: 5,
        outcome,
        errorClass,
        errorKind: null,
        errorName: 'AgentProcessError',
        errorMessage: message,
        alternative: null,
      }) as AttemptRecord;
    expect(incidentOf(run, [agentAttempt('Agent process "claude" failed (exit code 2): usage', 'failed', 'logic')], [])).toMatchObject({
      exitCode: 2,
      signal: null,
      reason: 'unknown',
      outcome: 'unrecoverable',
    });
    expect(incidentOf(run, [agentAttempt('Agent process "claude" failed (killed by SIGINT)', 'interrupted', 'interrupted')], [])).toMatchObject({
      exitCode: null,
      signal: 'SIGINT',
      reason: 'interrupted',
      strategy: 'takeover',
    });
    expect(median([])).toBeNull();
  });

  it('rejects an unknown option with its name', async () => {
    engine = await startEngine({ workflows: [] });
    await expect(recoveryReport(engine.lifeline, { sinse: '1h' } as never)).rejects.toMatchObject({
      message: 'Invalid option recoveryReport.sinse: unknown option (known: since, workflow)',
    });
  });
});
