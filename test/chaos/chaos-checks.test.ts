// The chaos checks themselves, on small scenarios written straight into a real SQLite store: a
// check that cannot fail proves nothing, so each one is shown to reject what it is meant to.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';
import { checkChaosInvariants, checkReexecutions, type EffectCounts } from './chaos-checks.js';
import type { ChaosReport } from './chaos-driver.js';

const STEPS = 2;
const COMMITTER = 222;
const KILLED = 111;
const T = 1_700_000_000_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A database where `runs` chaos runs completed, every step committed by pid COMMITTER. */
async function completedScenario(runs: number): Promise<{ report: ChaosReport; effects: EffectCounts }> {
  const tmp = tempDir('lifeline-chaos-checks-');
  const store: Store = await openSqliteStore(join(tmp.dir, 'chaos.db'));
  cleanups.push(async () => {
    await store.close();
    tmp.cleanup();
  });
  const workerId = `chaos-host:${COMMITTER}:abcd`;
  const effects: EffectCounts = { keys: new Set(), executions: [] };
  for (let i = 0; i < runs; i++) {
    const runId = `chaos-${i}`;
    await store.createRun({ id: runId, workflow: 'chaos.ten', input: JSON.stringify({ i }), now: T });
    const [run] = await store.claimRuns({ workerId, host: 'chaos-host', pid: COMMITTER, now: T, leaseMs: 60_000, limit: 1, workflows: ['chaos.ten'], runId });
    const token = run?.lease?.token ?? '';
    for (let s = 0; s < STEPS; s++) {
      const stepId = `s${s}#0`;
      await store.startAttempt({ runId, token, stepId, stepName: `s${s}`, attempt: 1, startedAt: T, workerId });
      await store.commitStep({
        runId,
        token,
        now: T,
        step: { stepId, name: `s${s}`, seq: s, kind: 'step', status: 'completed', output: String(s), error: null, attempts: 1, startedAt: T, completedAt: T },
        attempt: { attempt: 1, endedAt: T, outcome: 'succeeded' },
      });
      effects.keys.add(`${runId}:${stepId}`);
      effects.executions.push({ key: `${runId}:${stepId}`, pid: COMMITTER });
    }
    await store.finishRun({ runId, token, now: T, status: 'completed', output: JSON.stringify({ i, total: (STEPS * (STEPS - 1)) / 2 }) });
  }
  const report: ChaosReport = {
    kills: 3,
    killedPids: new Set([KILLED]),
    seconds: 1,
    stderr: '',
    store,
    concurrency: 4,
    completedAtKills: [0, 0, 0],
    stalls: [],
  };
  return { report, effects };
}

describe('chaos checks', () => {
  it('accept a clean scenario and report the re-executions by killed workers', async () => {
    const { report, effects } = await completedScenario(2);
    effects.executions.unshift({ key: 'chaos-1:s0#0', pid: KILLED }, { key: 'chaos-0:s1#0', pid: KILLED });
    const summary = await checkChaosInvariants(report, 2, STEPS, effects);
    expect(summary.reexecuted).toBe(2);
    expect([...summary.reexecutedByPid]).toEqual([[KILLED, 2]]);
  });

  it('keep no state from one scenario to the next', async () => {
    const first = await completedScenario(2);
    await checkChaosInvariants(first.report, 2, STEPS, first.effects);
    const second = await completedScenario(1);
    await expect(checkChaosInvariants(second.report, 1, STEPS, second.effects)).resolves.toMatchObject({ reexecuted: 0 });
  });

  it('reject kills that all came after the load had completed', async () => {
    const { report, effects } = await completedScenario(1);
    report.completedAtKills = [1, 1, 1];
    await expect(checkChaosInvariants(report, 1, STEPS, effects)).rejects.toThrow('kills while runs were in flight (completed runs at each kill: 1, 1, 1)');
  });

  it('reject an execution by a live worker before the commit, and a committer that is not the last to execute', () => {
    const committedBy = new Map([['r:s#0', COMMITTER]]);
    expect(() =>
      checkReexecutions({ killedPids: new Set([KILLED]) }, committedBy, [
        { key: 'r:s#0', pid: 333 },
        { key: 'r:s#0', pid: COMMITTER },
      ]),
    ).toThrow(`step r:s#0 ran again after a commit: executions by pids 333, ${COMMITTER}, committed by ${COMMITTER}, killed: ${KILLED}`);
    expect(() =>
      checkReexecutions({ killedPids: new Set([KILLED]) }, committedBy, [
        { key: 'r:s#0', pid: COMMITTER },
        { key: 'r:s#0', pid: KILLED },
      ]),
    ).toThrow('step r:s#0 ran again after a commit');
  });

  it('reject a killed worker that re-executed more steps than it can have had in flight', () => {
    const keys = ['a', 'b', 'c'];
    const committedBy = new Map(keys.map((k) => [k, COMMITTER]));
    const executions = keys.flatMap((key) => [
      { key, pid: KILLED },
      { key, pid: COMMITTER },
    ]);
    expect(checkReexecutions({ killedPids: new Set([KILLED]), concurrency: 3 }, committedBy, executions).reexecuted).toBe(3);
    expect(() => checkReexecutions({ killedPids: new Set([KILLED]), concurrency: 2 }, committedBy, executions)).toThrow(
      `killed workers re-executed more steps than they can have had in flight (2): pid ${KILLED}: 3`,
    );
  });
});
