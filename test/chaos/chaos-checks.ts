// Invariants every chaos scenario must leave behind.
import { expect } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { ChaosReport } from './chaos-driver.js';

export interface EffectCounts {
  /** Rows of the effects table (primary key = idempotency key). */
  keys: Set<string>;
  /** Every execution of a step's effect code, in order: (key, pid). */
  executions: Array<{ key: string; pid: number }>;
}

/** What the checks computed, for the caller to report or bound further. */
export interface ChaosCheckSummary {
  /** Executions of a step body beyond the one that committed: each by a killed process. */
  reexecuted: number;
  /** Re-executions per killed pid. */
  reexecutedByPid: Map<number, number>;
}

/** Default concurrency of the chaos workers (ChaosOptions.concurrency). */
export const CHAOS_CONCURRENCY = 4;

export async function checkChaosInvariants(report: ChaosReport, runs: number, steps: number, effects: EffectCounts): Promise<ChaosCheckSummary> {
  const store: Store = report.store;
  // Warnings the worker prints on purpose (a database restarting, a claim retried) are expected
  // under chaos; a crash, an unhandled rejection or SQLITE_BUSY is not.
  const unexpected = report.stderr.split('\n').filter((line) => /SQLITE_BUSY/.test(line) || (!line.includes('⚠') && /unhandled|Error:/i.test(line)));
  expect(unexpected).toEqual([]);
  const all = await store.listRuns({ limit: runs + 10 });
  expect(all.filter((r) => r.status !== 'completed').map((r) => `${r.id}:${r.status}`)).toEqual([]);
  expect(all).toHaveLength(runs);
  // Per scenario: which pid committed each step (run:stepId).
  const committedBy = new Map<string, number>();
  for (const run of all) {
    expect(JSON.parse(run.output ?? 'null')).toEqual({ i: Number(run.id.slice('chaos-'.length)), total: (steps * (steps - 1)) / 2 });
    const stepIds = (await store.getSteps(run.id)).map((s) => s.stepId);
    expect(stepIds).toEqual(Array.from({ length: steps }, (_, s) => `s${s}#0`));
    const attempts = await store.listAttempts(run.id);
    expect(attempts.filter((a) => a.outcome === 'running')).toEqual([]);
    const succeeded = attempts.filter((a) => a.outcome === 'succeeded');
    expect(succeeded).toHaveLength(steps);
    for (const a of succeeded) committedBy.set(`${run.id}:${a.stepId}`, pidOf(a.workerId));
  }
  // Each effect is applied once (keyed by the idempotency key), and every step has its effect.
  expect(effects.keys.size).toBe(runs * steps);
  for (const key of committedBy.keys()) expect(effects.keys.has(key)).toBe(true);
  const summary = checkReexecutions(report, committedBy, effects.executions);
  // The scenario really crashed workers while runs were still in flight.
  expect(report.kills).toBeGreaterThanOrEqual(3);
  if (report.completedAtKills !== undefined) {
    expect(
      report.completedAtKills.filter((done) => done < runs).length,
      `kills while runs were in flight (completed runs at each kill: ${report.completedAtKills.join(', ')})`,
    ).toBeGreaterThanOrEqual(3);
  }
  return summary;
}

/**
 * A step ran again only because the process running it was killed before it committed: every
 * execution but the last is by a killed process, and the last is by the committer. A killed
 * process had at most `concurrency` steps in flight, so it accounts for at most that many
 * re-executions: more means it ran steps whose results it could not commit (an unfenced start).
 */
export function checkReexecutions(
  report: Pick<ChaosReport, 'killedPids' | 'concurrency'>,
  committedBy: ReadonlyMap<string, number>,
  executions: ReadonlyArray<{ key: string; pid: number }>,
): ChaosCheckSummary {
  const byKey = new Map<string, number[]>();
  for (const e of executions) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.pid]);
  const reexecutedByPid = new Map<number, number>();
  let reexecuted = 0;
  for (const [key, pids] of byKey) {
    const committer = committedBy.get(key);
    const earlier = pids.slice(0, -1);
    const notKilled = earlier.filter((pid) => !report.killedPids.has(pid));
    if (notKilled.length > 0 || pids[pids.length - 1] !== committer) {
      throw new Error(
        `step ${key} ran again after a commit: executions by pids ${pids.join(', ')}, committed by ${committer}, killed: ${[...report.killedPids].join(', ')}`,
      );
    }
    for (const pid of earlier) reexecutedByPid.set(pid, (reexecutedByPid.get(pid) ?? 0) + 1);
    reexecuted += earlier.length;
  }
  const concurrency = report.concurrency ?? CHAOS_CONCURRENCY;
  const excessive = [...reexecutedByPid].filter(([, n]) => n > concurrency);
  if (excessive.length > 0) {
    throw new Error(
      `killed workers re-executed more steps than they can have had in flight (${concurrency}): ${excessive.map(([pid, n]) => `pid ${pid}: ${n}`).join(', ')}`,
    );
  }
  return { reexecuted, reexecutedByPid };
}

/** Worker ids are host:pid:random. */
function pidOf(workerId: string): number {
  return Number(workerId.split(':').at(-2));
}
