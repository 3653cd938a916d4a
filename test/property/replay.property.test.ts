// Property: crash recovery with replay and fencing agrees with a simple model, for random
// workflows. A spec is 1-8 sequential steps, each failing its first k (0-2) executions with a
// transient (ECONNRESET), rate-limit (HTTP 429) or logic (TypeError: never retried) error, and
// a crash point: the step, and how many of its failures happen, before worker A "dies".
//
// The crash is simulated in-process on one SQLite file. Worker A (host-a, a pid that is not
// ours) runs on a ManualClock that never moves, so it never heartbeats; at the crash point its
// step function hangs on a promise the test holds. Worker B (host-b) runs on its own ManualClock
// set past A's lease, takes the run over and finishes it. Then A's hung step returns: its late
// commit must be refused (fencing), leaving exactly the model's step results and attempts.
// Clocks are pumped with advance(0): zero-delay retry timers fire, time never moves.
// fast-check prints the seed and counterexample on failure; PROPERTY_SEED replays a seed,
// PROPERTY_RUNS runs more cases.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import type { StoredError } from '../../src/store/types.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { defineWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import { tempDir } from '../helpers.js';

type FailureKind = 'transient' | 'rate_limit' | 'logic';

interface Spec {
  steps: Array<{ failures: FailureKind[] }>;
  crashStep: number;
  /** How many failures of the crash step happen in A before its next execution hangs (clamped). */
  crashAfter: number;
}

const LEASE_MS = 3000; // the worker default
const A_PID = 1_234_567;
const SEED = process.env.PROPERTY_SEED === undefined ? 0x1ee7 : Number(process.env.PROPERTY_SEED);

// ---- the model -------------------------------------------------------------------------

interface ModelStep {
  stepId: string;
  /** Executions the step needs: its failures up to the first logic one, plus a success if none. */
  calls: number;
  status: 'completed' | 'failed';
  /** [outcome, errorClass, worker] of every stored attempt, in attempt order. */
  attempts: Array<[string, string | null, 'A' | 'B']>;
  execA: number;
  execB: number;
}

interface Model {
  steps: ModelStep[];
  crash: { step: number; after: number } | null;
  run: { status: 'completed'; output: unknown } | { status: 'failed'; errorClass: 'logic'; stepId: string; attempts: number };
}

function stepOutput(i: number): { step: number; value: string } {
  return { step: i, value: `v${i}` };
}

function errorClassOf(kind: FailureKind): string {
  return kind;
}

function buildModel(spec: Spec): Model {
  const steps: ModelStep[] = [];
  let crash: Model['crash'] = null;
  for (const [i, { failures }] of spec.steps.entries()) {
    const logicAt = failures.indexOf('logic');
    const effective = logicAt >= 0 ? failures.slice(0, logicAt + 1) : failures;
    const calls = logicAt >= 0 ? logicAt + 1 : failures.length + 1;
    const status = logicAt >= 0 ? 'failed' : 'completed';
    // Outcome of each execution of the script, in order.
    const script: Array<[string, string | null]> = [];
    for (let k = 0; k < calls; k++) {
      const kind = effective[k];
      script.push(kind === undefined ? ['succeeded', null] : ['failed', errorClassOf(kind)]);
    }
    let attempts: ModelStep['attempts'];
    let execA = calls;
    let execB = 0;
    if (crash === null && i === spec.crashStep) {
      const after = Math.min(spec.crashAfter, calls - 1);
      crash = { step: i, after };
      attempts = [
        ...script.slice(0, after).map(([o, c]): [string, string | null, 'A'] => [o, c, 'A']),
        ['interrupted', 'interrupted', 'A'],
        ...script.slice(after).map(([o, c]): [string, string | null, 'B'] => [o, c, 'B']),
      ];
      execA = after + 1;
      execB = calls - after;
    } else {
      const by = crash === null ? 'A' : 'B';
      attempts = script.map(([o, c]): [string, string | null, 'A' | 'B'] => [o, c, by]);
      if (by === 'B') [execA, execB] = [0, calls];
    }
    steps.push({ stepId: `s${i}#0`, calls, status, attempts, execA, execB });
    if (status === 'failed') break;
  }
  const last = steps[steps.length - 1]!;
  const run: Model['run'] =
    last.status === 'failed'
      ? { status: 'failed', errorClass: 'logic', stepId: last.stepId, attempts: last.attempts.length }
      : { status: 'completed', output: steps.map((_, i) => stepOutput(i)) };
  return { steps, crash, run };
}

// ---- the system under test -------------------------------------------------------------

function failure(kind: FailureKind, i: number): Error {
  switch (kind) {
    case 'transient':
      return Object.assign(new Error(`read ECONNRESET (step ${i})`), { code: 'ECONNRESET' });
    case 'rate_limit':
      return Object.assign(new Error(`429 Too Many Requests (step ${i})`), { status: 429 });
    case 'logic':
      return new TypeError(`cannot read properties of undefined (step ${i})`);
  }
}

/** The outside world of one run: the failure scripts, the hang, and who executed what. */
class Trial {
  readonly consumed: number[];
  readonly execA: number[];
  readonly execB: number[];
  hung = false;
  private release: (value: unknown) => void = () => {};

  constructor(
    readonly spec: Spec,
    private readonly crash: Model['crash'],
  ) {
    this.consumed = spec.steps.map(() => 0);
    this.execA = spec.steps.map(() => 0);
    this.execB = spec.steps.map(() => 0);
  }

  execute(worker: 'A' | 'B', i: number): unknown {
    (worker === 'A' ? this.execA : this.execB)[i]!++;
    if (worker === 'A' && !this.hung && this.crash?.step === i && this.consumed[i] === this.crash.after) {
      this.hung = true; // worker A "dies" here: this execution never returns in time
      return new Promise((resolve) => (this.release = resolve));
    }
    const k = this.consumed[i]!++;
    const kind = this.spec.steps[i]!.failures[k];
    if (kind !== undefined) throw failure(kind, i);
    return stepOutput(i);
  }

  /** The hung execution of A returns after all, with a value no model step has. */
  wakeHungStep(): void {
    this.release({ late: true });
  }
}

const trials = new Map<string, Trial>();

function workflowFn(worker: 'A' | 'B') {
  return async (ctx: WorkflowContext, spec: Spec): Promise<unknown[]> => {
    const trial = trials.get(ctx.runId);
    if (!trial) throw new Error(`no trial for run ${ctx.runId}`);
    const out: unknown[] = [];
    for (let i = 0; i < spec.steps.length; i++) out.push(await ctx.step(`s${i}`, () => trial.execute(worker, i)));
    return out;
  };
}

// One workflow name, two definitions: the same code, told which worker runs it.
const wfA = defineWorkflow('property.replay', workflowFn('A'), { retry: { initialDelayMs: 0, maxDelayMs: 0 } });
const wfB: WorkflowDefinition<Spec, unknown[]> = { ...wfA, fn: workflowFn('B') };

/** Lets `clock`'s zero-delay timers and the store's batched writes run until `done()` holds. */
async function pump(clock: ManualClock, done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await clock.advance(0);
  }
  throw new Error(`stuck: ${what}`);
}

/** close() waits for the shutdown grace on the Lifeline's own (manual) clock: move it along. */
async function closeOn(lifeline: Lifeline, clock: ManualClock): Promise<void> {
  let closed = false;
  const closing = lifeline.close().finally(() => (closed = true));
  for (let i = 0; i < 20 && !closed; i++) await clock.advance(10_000);
  await closing;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
let runCounter = 0;

async function checkTrial(spec: Spec): Promise<void> {
  const model = buildModel(spec);
  const tmp = tempDir('lifeline-replay-prop-');
  const db = join(tmp.dir, 'replay.db');
  const clockA = new ManualClock();
  const clockB = new ManualClock();
  const a = await Lifeline.open({ db, workflows: [wfA], clock: clockA });
  const b = await Lifeline.open({ db, workflows: [wfB], clock: clockB });
  const runId = `replay-${++runCounter}`;
  const trial = new Trial(spec, model.crash);
  trials.set(runId, trial);
  const eventsA: EngineEvent[] = [];
  a.events.on('event', (e) => eventsA.push(e));
  const status = async () => (await a.store.getRun(runId))?.status ?? 'missing';
  try {
    const workerA = a.worker({ host: 'host-a', pid: A_PID });
    workerA.start();
    await a.start(wfA, spec, { runId });
    await pump(clockA, async () => trial.hung || TERMINAL.has(await status()), 'worker A reaching the crash point');

    const crashStepId = model.crash ? `s${model.crash.step}#0` : null;
    if (crashStepId) {
      expect(trial.hung, 'A should hang at the crash point').toBe(true);
      // A died mid-step: its attempt is recorded as running, under its lease.
      const hanging = (await a.store.listAttempts(runId)).filter((x) => x.stepId === crashStepId).at(-1);
      expect(hanging).toMatchObject({ outcome: 'running', workerId: workerA.id });
    } else {
      expect(trial.hung).toBe(false);
    }

    // B's clock is past A's lease (both clocks start at the same instant); A never renewed it.
    await clockB.advance(LEASE_MS + 1);
    const workerB = b.worker({ host: 'host-b' });
    workerB.start();
    await pump(clockB, async () => TERMINAL.has(await status()) && workerB.activeRuns === 0, 'worker B finishing the run');

    // A's hung step returns now. Its commit names a lease that moved on: it must be refused.
    trial.wakeHungStep();
    await pump(clockA, async () => workerA.activeRuns === 0, 'worker A giving the run up');
    if (crashStepId) {
      const lateCommit = eventsA.filter((e) => e.type === 'step.completed' && (e.data as { stepId?: string }).stepId === crashStepId);
      expect(lateCommit, 'A published a commit of the crash step').toEqual([]);
    }

    // Step results: exactly the model's.
    const steps = await b.store.getSteps(runId);
    expect(
      steps.map((s) => ({
        stepId: s.stepId,
        status: s.status,
        attempts: s.attempts,
        output: s.output === null ? null : (JSON.parse(s.output) as unknown),
        errorClass: s.error?.errorClass ?? null,
      })),
    ).toEqual(
      model.steps.map((m, i) => ({
        stepId: m.stepId,
        status: m.status,
        attempts: m.attempts.length,
        output: m.status === 'completed' ? stepOutput(i) : null,
        errorClass: m.status === 'failed' ? 'logic' : null,
      })),
    );

    // Attempts: the model's, per step, with the interrupted one of the crash step, by the right worker.
    const attempts = await b.store.listAttempts(runId);
    const worker = (id: string) => (id === workerA.id ? 'A' : id === workerB.id ? 'B' : id);
    for (const m of model.steps) {
      const mine = attempts.filter((x) => x.stepId === m.stepId).sort((x, y) => x.attempt - y.attempt);
      expect({ step: m.stepId, attempts: mine.map((x) => [x.attempt, x.outcome, x.errorClass, worker(x.workerId)]) }).toEqual({
        step: m.stepId,
        attempts: m.attempts.map(([o, c, w], k) => [k + 1, o, c, w]),
      });
    }
    expect(new Set(attempts.map((x) => x.stepId))).toEqual(new Set(model.steps.map((m) => m.stepId)));

    // Executions: a step completed before the crash never ran again in B.
    expect({ A: trial.execA, B: trial.execB }).toEqual({
      A: spec.steps.map((_, i) => model.steps[i]?.execA ?? 0),
      B: spec.steps.map((_, i) => model.steps[i]?.execB ?? 0),
    });

    // The run.
    const run = await b.getRun(runId);
    if (model.run.status === 'completed') {
      expect({ status: run?.status, output: run?.output }).toEqual({ status: 'completed', output: model.run.output });
    } else {
      expect({ status: run?.status, error: pick(run?.error) }).toEqual({
        status: 'failed',
        error: { errorClass: 'logic', stepId: model.run.stepId, attempts: model.run.attempts },
      });
    }
    expect(eventsA.filter((e) => e.type === 'worker.error')).toEqual([]);
  } finally {
    trial.wakeHungStep();
    await closeOn(a, clockA);
    await closeOn(b, clockB);
    trials.delete(runId);
    tmp.cleanup();
  }
}

function pick(error: StoredError | null | undefined): Partial<StoredError> | undefined {
  return error ? { errorClass: error.errorClass, stepId: error.stepId, attempts: error.attempts } : undefined;
}

const specArb: fc.Arbitrary<Spec> = fc
  .array(fc.record({ failures: fc.array(fc.constantFrom<FailureKind>('transient', 'rate_limit', 'logic'), { maxLength: 2 }) }), { minLength: 1, maxLength: 8 })
  .chain((steps) => fc.record({ steps: fc.constant(steps), crashStep: fc.nat({ max: steps.length - 1 }), crashAfter: fc.nat({ max: 2 }) }));

describe('replay after a crash (property)', () => {
  it('the model and the engine agree on step results, attempts, executions and the run outcome; late commits are fenced', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(specArb, (spec) => checkTrial(spec)),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 25), seed: SEED },
    );
  });

  it('the model itself: a crash is only reached when no earlier step failed with a logic error', () => {
    const model = buildModel({ steps: [{ failures: ['logic'] }, { failures: [] }], crashStep: 1, crashAfter: 0 });
    expect(model.crash).toBeNull();
    expect(model.run).toEqual({ status: 'failed', errorClass: 'logic', stepId: 's0#0', attempts: 1 });
    const crashed = buildModel({ steps: [{ failures: ['transient'] }, { failures: ['rate_limit', 'rate_limit'] }], crashStep: 1, crashAfter: 1 });
    expect(crashed.steps[1]?.attempts).toEqual([
      ['failed', 'rate_limit', 'A'],
      ['interrupted', 'interrupted', 'A'],
      ['failed', 'rate_limit', 'B'],
      ['succeeded', null, 'B'],
    ]);
  });
});
