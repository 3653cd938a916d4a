// W2: 500 runs x 3 small steps, one worker with concurrency 16.
//  - start+execute: worker running; all 500 start() calls issued at once; first start to last result().
//  - execute only: the 500 runs are created first with no worker; worker.start() to last result().
//  - execute only (events): as above but completion counted from run.completed events, without
//    500 result() callers; isolates what result()'s reads cost (diagnostic).
import { join } from 'node:path';
import { Lifeline, type RunHandle } from '../src/engine/lifeline.js';
import { defineWorkflow } from '../src/workflow/define.js';
import { median, round, tempDir } from './common.js';
import { installCommitProbe, resetCounters, snapshot, type CommitCounters } from './probe.js';

const w2 = defineWorkflow('bench-w2', async (ctx, input: { n: number }) => {
  const a = await ctx.step('a', () => ({ i: input.n, ok: true }));
  const b = await ctx.step('b', () => ({ i: a.i + 1, ok: true }));
  const c = await ctx.step('c', () => ({ i: b.i + 1, ok: true }));
  return c.i;
});

type Mode = 'startExecute' | 'executeOnly' | 'executeOnlyEvents';

export interface W2Phase {
  runsPerSec: number;
  runsPerSecRuns: number[];
  /** For startExecute: ms until all 500 start() calls resolved. */
  startMs?: number;
  counters: CommitCounters;
}

export interface W2Result {
  runs: number;
  steps: number;
  concurrency: number;
  startExecute: W2Phase;
  executeOnly: W2Phase;
  executeOnlyEvents: W2Phase;
}

async function once(mode: Mode, runs: number, concurrency: number): Promise<{ rps: number; startMs?: number; c: CommitCounters }> {
  const tmp = tempDir('w2');
  const lifeline = await Lifeline.open({ db: join(tmp.dir, 'w2.db'), workflows: [w2] });
  const worker = lifeline.worker({ concurrency });
  try {
    // Warm the JIT and the statements on a few runs first (not timed).
    worker.start();
    await Promise.all((await Promise.all([1, 2, 3, 4].map((n) => lifeline.start(w2, { n })))).map((h) => h.result()));
    if (mode !== 'startExecute') await worker.stop();
    const inputs = Array.from({ length: runs }, (_, n) => ({ n }));

    if (mode === 'startExecute') {
      resetCounters();
      const t0 = performance.now();
      const handles = await Promise.all(inputs.map((i) => lifeline.start(w2, i)));
      const startMs = performance.now() - t0;
      await Promise.all(handles.map((h) => h.result()));
      const ms = performance.now() - t0;
      return { rps: runs / (ms / 1000), startMs, c: snapshot() };
    }

    const handles: RunHandle[] = await Promise.all(inputs.map((i) => lifeline.start(w2, i)));
    const ids = new Set(handles.map((h) => h.runId));
    const runner = lifeline.worker({ concurrency });
    let allDone: Promise<unknown>;
    resetCounters();
    const t0 = performance.now();
    if (mode === 'executeOnly') {
      runner.start();
      allDone = Promise.all(handles.map((h) => h.result()));
    } else {
      allDone = new Promise<void>((resolve) => {
        let left = ids.size;
        lifeline.events.on('event', (e) => {
          if (e.type === 'run.completed' && ids.has(e.runId) && --left === 0) resolve();
        });
      });
      runner.start();
    }
    await allDone;
    const ms = performance.now() - t0;
    return { rps: runs / (ms / 1000), c: snapshot() };
  } finally {
    await lifeline.close();
    tmp.cleanup();
  }
}

async function phase(mode: Mode, runs: number, concurrency: number, repetitions: number): Promise<W2Phase> {
  const results = [];
  for (let r = 0; r < repetitions; r++) results.push(await once(mode, runs, concurrency));
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor(sorted.length / 2)] as (typeof results)[number];
  return {
    runsPerSec: round(median(results.map((r) => r.rps)), 1),
    runsPerSecRuns: results.map((r) => round(r.rps, 1)),
    ...(mid.startMs !== undefined ? { startMs: round(mid.startMs, 1) } : {}),
    counters: { ...mid.c, commitMs: round(mid.c.commitMs, 1) },
  };
}

export async function benchW2(runs = 500, concurrency = 16, repetitions = 3): Promise<W2Result> {
  installCommitProbe();
  return {
    runs,
    steps: 3,
    concurrency,
    startExecute: await phase('startExecute', runs, concurrency, repetitions),
    executeOnly: await phase('executeOnly', runs, concurrency, repetitions),
    executeOnlyEvents: await phase('executeOnlyEvents', runs, concurrency, repetitions),
  };
}
