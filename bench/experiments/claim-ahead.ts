// Experiment (not part of `npm run bench`): W2 (500 runs x 3 steps, concurrency 16) with the
// worker as it is, and with "claim-ahead" patched in at runtime (src/ untouched): a run whose
// workflow function has returned frees its slot when its finish write is queued, not when it
// is committed, so the next claim rides in the same group commit as the finish instead of
// costing one more commit round per run.
//   node dist/bench/experiments/claim-ahead.js [repetitions]
import { join } from 'node:path';
import { Lifeline } from '../../src/engine/lifeline.js';
import { RunExecution } from '../../src/engine/run-execution.js';
import { Worker } from '../../src/engine/worker.js';
import type { RunRecord } from '../../src/store/types.js';
import type { WorkflowDefinition } from '../../src/workflow/define.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { median, round, tempDir } from '../common.js';
import { installCommitProbe, resetCounters, snapshot } from '../probe.js';

const wf = defineWorkflow('bench-claim-ahead', async (ctx, input: { n: number }) => {
  const a = await ctx.step('a', () => ({ i: input.n, ok: true }));
  const b = await ctx.step('b', () => ({ i: a.i + 1, ok: true }));
  const c = await ctx.step('c', () => ({ i: b.i + 1, ok: true }));
  return c.i;
});

// ---- the patch ------------------------------------------------------------------------
interface WorkerInternals {
  options: { concurrency: number; leaseMs: number; pid: number };
  deps: { store: Lifeline['store']; clock: { now(): number }; workflows: () => WorkflowDefinition[] };
  active: Map<string, { exec: RunExecution }>;
  id: string;
  host: string;
  launch(run: RunRecord, def: WorkflowDefinition): unknown;
  poke(): void;
  claimAndLaunch(): Promise<boolean>;
}
interface ExecInternals {
  finished: boolean;
  complete(value: unknown): Promise<unknown>;
}

let enabled = false;
const workerOf = new WeakMap<object, WorkerInternals>();
const workerProto = Worker.prototype as unknown as WorkerInternals;
const originalClaim = workerProto.claimAndLaunch;
workerProto.claimAndLaunch = async function (this: WorkerInternals): Promise<boolean> {
  if (!enabled) return originalClaim.call(this);
  for (const { exec } of this.active.values()) workerOf.set(exec, this);
  const settling = [...this.active.values()].filter(({ exec }) => (exec as unknown as ExecInternals).finished).length;
  const capacity = this.options.concurrency - (this.active.size - settling);
  if (capacity <= 0) return false;
  const workflows = this.deps.workflows();
  const claimed = await this.deps.store.claimRuns({
    workerId: this.id,
    host: this.host,
    pid: this.options.pid,
    now: this.deps.clock.now(),
    leaseMs: this.options.leaseMs,
    limit: capacity,
    workflows: workflows.map((w) => w.name),
  });
  const byName = new Map(workflows.map((w) => [w.name, w]));
  for (const run of claimed) {
    const def = byName.get(run.workflow);
    if (def) this.launch(run, def);
  }
  return claimed.length === capacity;
};
const execProto = RunExecution.prototype as unknown as ExecInternals;
const originalComplete = execProto.complete;
execProto.complete = function (this: ExecInternals, value: unknown): Promise<unknown> {
  const done = originalComplete.call(this, value); // queues the finish write synchronously
  if (enabled) workerOf.get(this)?.poke(); // the claim now joins the same batch
  return done;
};

// ---- the measurement -----------------------------------------------------------------------
async function once(runs: number, concurrency: number) {
  const tmp = tempDir('claim-ahead');
  const lifeline = await Lifeline.open({ db: join(tmp.dir, 'w.db'), workflows: [wf] });
  try {
    const handles = await Promise.all(Array.from({ length: runs }, (_, n) => lifeline.start(wf, { n })));
    const ids = new Set(handles.map((h) => h.runId));
    const done = new Promise<void>((resolve) => {
      let left = ids.size;
      lifeline.events.on('event', (e) => {
        if (e.type === 'run.completed' && ids.has(e.runId) && --left === 0) resolve();
      });
    });
    resetCounters();
    const t0 = performance.now();
    lifeline.worker({ concurrency }).start();
    await done;
    const ms = performance.now() - t0;
    return { rps: runs / (ms / 1000), commits: snapshot().commits };
  } finally {
    await lifeline.close();
    tmp.cleanup();
  }
}

installCommitProbe();
const reps = Number(process.argv[2] ?? 5);
const out: Record<string, { rps: number[]; commits: number[] }> = { current: { rps: [], commits: [] }, 'claim-ahead': { rps: [], commits: [] } };
await once(50, 16); // warm-up
for (let r = 0; r < reps; r++) {
  for (const mode of ['current', 'claim-ahead'] as const) {
    enabled = mode === 'claim-ahead';
    const res = await once(500, 16);
    out[mode]?.rps.push(res.rps);
    out[mode]?.commits.push(res.commits);
  }
}
for (const [mode, v] of Object.entries(out)) {
  process.stdout.write(`${mode.padEnd(12)} runs/s median ${round(median(v.rps), 1)} (${v.rps.map((x) => round(x, 0)).join(', ')}), commits for 500 runs: ${v.commits.join(', ')}\n`);
}
