// Experiment (not part of `npm run bench`): W2 "execute only" with 500 result() callers, with
// Lifeline's waiters as they are (one 'event' listener per waiting result(), so every engine
// event runs every waiter's filter: O(events x waiters)) and with a per-run waiter map patched
// in at runtime (src/ untouched), which wakes only the waiters of the run that ended.
//   node dist/bench/experiments/result-waiters.js [repetitions]
import { join } from 'node:path';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { median, round, tempDir } from '../common.js';

const wf = defineWorkflow('bench-result-waiters', async (ctx, input: { n: number }) => {
  const a = await ctx.step('a', () => ({ i: input.n, ok: true }));
  const b = await ctx.step('b', () => ({ i: a.i + 1, ok: true }));
  const c = await ctx.step('c', () => ({ i: b.i + 1, ok: true }));
  return c.i;
});

interface LifelineInternals {
  clock: Lifeline['clock'];
  events: Lifeline['events'];
  emit(event: EngineEvent): void;
  nextEventOrTimeout(runId: string, ms: number): Promise<void>;
}
const FINAL = new Set(['run.completed', 'run.failed', 'run.cancelled', 'run.cancel_requested']);
const proto = Lifeline.prototype as unknown as LifelineInternals;
const originalEmit = proto.emit;
const originalWait = proto.nextEventOrTimeout;
const waiters = new WeakMap<object, Map<string, Set<() => void>>>();
let enabled = false;

proto.emit = function (this: LifelineInternals, event: EngineEvent): void {
  originalEmit.call(this, event);
  if (enabled && FINAL.has(event.type)) for (const wake of [...(waiters.get(this)?.get(event.runId ?? '') ?? [])]) wake();
};
proto.nextEventOrTimeout = function (this: LifelineInternals, runId: string, ms: number): Promise<void> {
  if (!enabled) return originalWait.call(this, runId, ms);
  let byRun = waiters.get(this);
  if (!byRun) waiters.set(this, (byRun = new Map()));
  let set = byRun.get(runId);
  if (!set) byRun.set(runId, (set = new Set()));
  const mine = set;
  const map = byRun;
  return new Promise<void>((resolve) => {
    const timer = this.clock.setTimer(ms, () => done());
    const done = () => {
      timer.cancel();
      mine.delete(done);
      if (mine.size === 0) map.delete(runId);
      resolve();
    };
    mine.add(done);
  });
};

async function once(runs: number): Promise<number> {
  const tmp = tempDir('waiters');
  const lifeline = await Lifeline.open({ db: join(tmp.dir, 'w.db'), workflows: [wf] });
  try {
    const handles = await Promise.all(Array.from({ length: runs }, (_, n) => lifeline.start(wf, { n })));
    const t0 = performance.now();
    lifeline.worker({ concurrency: 16 }).start();
    await Promise.all(handles.map((h) => h.result()));
    return runs / ((performance.now() - t0) / 1000);
  } finally {
    await lifeline.close();
    tmp.cleanup();
  }
}

const reps = Number(process.argv[2] ?? 5);
const out: Record<string, number[]> = { 'listener per waiter (now)': [], 'per-run waiter map': [] };
await once(50);
for (let r = 0; r < reps; r++) {
  for (const mode of Object.keys(out)) {
    enabled = mode === 'per-run waiter map';
    out[mode]?.push(await once(500));
  }
}
for (const [mode, v] of Object.entries(out)) {
  process.stdout.write(`${mode.padEnd(26)} runs/s median ${round(median(v), 1)} (${v.map((x) => round(x, 0)).join(', ')})\n`);
}
