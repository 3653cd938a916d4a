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

export async function checkChaosInvariants(report: ChaosReport, runs: number, steps: number, effects: EffectCounts): Promise<void> {
  const store: Store = report.store;
  // Warnings the worker prints on purpose (a database restarting, a claim retried) are expected
  // under chaos; a crash, an unhandled rejection or SQLITE_BUSY is not.
  const unexpected = report.stderr.split('\n').filter((line) => /SQLITE_BUSY/.test(line) || (!line.includes('⚠') && /unhandled|Error:/i.test(line)));
  expect(unexpected).toEqual([]);
  const all = await store.listRuns({ limit: runs + 10 });
  expect(all.filter((r) => r.status !== 'completed').map((r) => `${r.id}:${r.status}`)).toEqual([]);
  expect(all).toHaveLength(runs);
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
  // A step ran again only because the process running it was killed before it committed:
  // every execution but the last is by a killed process, and the last is by the committer.
  const byKey = new Map<string, number[]>();
  for (const e of effects.executions) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.pid]);
  let reexecuted = 0;
  for (const [key, pids] of byKey) {
    const committer = committedBy.get(key);
    const earlier = pids.slice(0, -1);
    const notKilled = earlier.filter((pid) => !report.killedPids.has(pid));
    if (notKilled.length > 0 || pids[pids.length - 1] !== committer) {
      throw new Error(`step ${key} ran again after a commit: executions by pids ${pids.join(', ')}, committed by ${committer}, killed: ${[...report.killedPids].join(', ')}`);
    }
    reexecuted += earlier.length;
  }
  // The scenario really crashed workers, some in the middle of a step.
  expect(report.kills).toBeGreaterThanOrEqual(3);
  return void reexecuted;
}

const committedBy = new Map<string, number>();

/** Worker ids are host:pid:random. */
function pidOf(workerId: string): number {
  return Number(workerId.split(':').at(-2));
}
