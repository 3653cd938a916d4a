// Compensation (issue 12 §3), for any backend (compensation.test.ts: a real SQLite file;
// compensation-pg.test.ts: the harness's PostgreSQL server): a saga's compensations run in reverse order
// of completion on final failure, cancel (running or not) and rollback, each committed once as a
// step of its own, retried by its policy; a compensation failing for good ends the run with
// CompensationFailedError; a run without compensations is cancelled at once, as before.
import { afterEach, describe, expect, it } from 'vitest';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import type { WorkerOptions } from '../../src/options/public-options.js';
import type { Store } from '../../src/store/store.js';
import { defineWorkflow, unregisterWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { waitForEvent, type TestEngine } from '../helpers.js';
import type { RunStatus } from '../../src/store/types.js';

export interface CompensationBackend {
  open(): Promise<{ db: string | Store; cleanup: () => Promise<void> }>;
}

let engine: TestEngine | undefined;
const defined: WorkflowDefinition[] = [];
let backend: CompensationBackend;

/** A client with a started worker on a fresh database of the backend, recording every event. */
async function startEngine(options: { workflows: WorkflowDefinition[]; worker?: WorkerOptions }): Promise<TestEngine> {
  const { db, cleanup } = await backend.open();
  const lifeline = await Lifeline.open({ db, workflows: options.workflows });
  const events: EngineEvent[] = [];
  lifeline.events.on('event', (e) => events.push(e));
  const worker = lifeline.worker({ pollMs: 20, ...options.worker });
  worker.start();
  const close = async () => {
    await lifeline.close();
    await cleanup();
  };
  return { lifeline, worker, db: typeof db === 'string' ? db : '', events, close };
}

/** Every execution of a body, in order: what the assertions count. */
function journal() {
  const lines: string[] = [];
  return { lines, note: (line: string) => lines.push(line) };
}

const ONCE = { maxAttempts: 1 };

/** A step that fails at once, for good: the run's final failure. */
function failForGood(ctx: WorkflowContext): Promise<unknown> {
  return ctx.step(
    'fail',
    () => {
      throw new Error('no');
    },
    { retry: ONCE },
  );
}

/** Starts `wf` on a fresh engine and waits for its final failure ("no"). */
async function runToFailure(wf: WorkflowDefinition): Promise<{ runId: string; lifeline: Lifeline }> {
  defined.push(wf);
  engine = await startEngine({ workflows: [wf] });
  const h = await engine.lifeline.start(wf, null);
  await expect(h.result()).rejects.toThrow('no');
  return { runId: h.runId, lifeline: engine.lifeline };
}

/** Book a flight, a hotel, then charge the card; `charge` decides how the charge goes. */
function saga(name: string, log: ReturnType<typeof journal>, charge: () => unknown, hotelUndo?: () => unknown) {
  const wf = defineWorkflow(name, async (ctx, trip: string) => {
    const flight = await ctx.step('book-flight', () => (log.note('flight'), { id: `F-${trip}` }), {
      compensate: (booked) => log.note(`cancel ${booked.id}`),
    });
    const hotel = await ctx.step('book-hotel', () => (log.note('hotel'), { id: `H-${trip}` }), {
      compensate: (booked) => (log.note(`cancel ${booked.id}`), hotelUndo?.()),
      compensateRetry: ONCE,
    });
    await ctx.step('charge-card', charge, { retry: ONCE });
    return { flight: flight.id, hotel: hotel.id };
  });
  defined.push(wf);
  return wf;
}

async function until(status: RunStatus, runId: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if ((await engine!.lifeline.getRun(runId))?.status === status) return;
    await new Promise((r) => setImmediate(r)); // a turn for the worker, not a wait for time
  }
  throw new Error(`run ${runId} never became ${status}`);
}

async function stepRows(runId: string) {
  return (await engine!.lifeline.store.getSteps(runId)).map((s) => [s.stepId, s.status, s.attempts]);
}

export function compensationCases(name: string, on: CompensationBackend): void {
  backend = on;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    for (const wf of defined.splice(0)) unregisterWorkflow(wf.name);
  });

  describe(`compensation (sagas): ${name}`, () => {
    it('on final failure the completed steps are compensated latest first, each once, and the run fails with its own error', async () => {
      const log = journal();
      const wf = saga('comp.fail', log, () => {
        throw new Error('card declined');
      });
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, 'x');
      await expect(h.result()).rejects.toThrow('card declined');
      expect(log.lines).toEqual(['flight', 'hotel', 'cancel H-x', 'cancel F-x']);
      const run = await engine.lifeline.getRun(h.runId);
      expect(run?.status).toBe('failed');
      expect(run?.compensation).toBe('done');
      expect(run?.error?.message).toContain('card declined');
      expect(await stepRows(h.runId)).toEqual([
        ['book-flight#0', 'completed', 1],
        ['book-hotel#0', 'completed', 1],
        ['charge-card#0', 'failed', 1],
        ['compensate:book-hotel#0', 'completed', 1],
        ['compensate:book-flight#0', 'completed', 1],
      ]);
      const events = (await engine.lifeline.store.listEvents({ runId: h.runId })).filter((e) => e.type.startsWith('run.compensat'));
      expect(events.map((e) => [e.type, JSON.parse(e.data) as unknown])).toEqual([
        ['run.compensating', { reason: 'failed', steps: ['book-hotel#0', 'book-flight#0'] }],
        ['run.compensated', { reason: 'failed', compensated: ['book-hotel#0', 'book-flight#0'], failed: [], unreached: [] }],
      ]);
    });

    it('a fallback chain declares a compensation too: it gets the value and the alternative that gave it', async () => {
      const log = journal();
      const wf = defineWorkflow('comp.fallback', async (ctx) => {
        await ctx.fallback(
          'reserve',
          [
            {
              name: 'primary',
              run: () => {
                throw Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
              },
              retry: ONCE,
            },
            { name: 'backup', run: () => 'R-9' },
          ],
          { compensate: (reserved) => log.note(`release ${String(reserved.value)} from ${reserved.alternative}`) },
        );
        await failForGood(ctx);
      });
      const h = await runToFailure(wf);
      expect(log.lines).toEqual(['release R-9 from backup']);
      expect((await h.lifeline.getRun(h.runId))?.compensation).toBe('done');
    });

    it('a compensation failing with a transient error is retried by compensateRetry, its attempts recorded', async () => {
      const log = journal();
      let undoTries = 0;
      const wf = defineWorkflow('comp.retry', async (ctx) => {
        await ctx.step('reserve', () => 'seat-7', {
          compensate: (seat) => {
            log.note(`release ${seat}`);
            if (++undoTries === 1) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
          },
          compensateRetry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1, jitter: 'none' },
        });
        await failForGood(ctx);
      });
      const h = await runToFailure(wf);
      expect(log.lines).toEqual(['release seat-7', 'release seat-7']);
      const attempts = (await h.lifeline.store.listAttempts(h.runId)).filter((a) => a.stepId === 'compensate:reserve#0');
      expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass])).toEqual([
        [1, 'failed', 'transient'],
        [2, 'succeeded', null],
      ]);
      expect((await h.lifeline.getRun(h.runId))?.compensation).toBe('done');
    });

    it('a compensation that still fails after its retries: the others still run, the run fails with CompensationFailedError naming the step', async () => {
      const log = journal();
      const wf = saga(
        'comp.undo-fails',
        log,
        () => {
          throw new Error('card declined');
        },
        () => {
          throw new Error('hotel API refused the cancellation');
        },
      );
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, 'y');
      await until('failed', h.runId);
      expect(log.lines).toEqual(['flight', 'hotel', 'cancel H-y', 'cancel F-y']);
      const run = await engine.lifeline.getRun(h.runId);
      expect(run?.compensation).toBe('failed');
      expect(run?.error?.name).toBe('CompensationFailedError');
      expect(run?.error?.errorClass).toBe('logic');
      expect(run?.error?.message).toBe(
        `Run ${h.runId} was not fully compensated after it failed (Step "charge-card#0" failed with unknown error after 1 attempt: card declined): the compensation of "book-hotel#0" failed after its retries. ` +
          `Undo what those steps did by hand; \`lifeline show ${h.runId}\` lists their attempts and errors.`,
      );
      const ended = (await engine.lifeline.store.listEvents({ runId: h.runId })).find((e) => e.type === 'run.compensated');
      expect(JSON.parse(ended!.data)).toEqual({ reason: 'failed', compensated: ['book-flight#0'], failed: ['book-hotel#0'], unreached: [] });
    });

    it('cancelling a running run compensates its completed steps, then ends it cancelled', async () => {
      const log = journal();
      const wf = defineWorkflow('comp.cancel-running', async (ctx) => {
        await ctx.step('book-flight', () => (log.note('flight'), 'F1'), { compensate: (id) => log.note(`cancel ${id}`) });
        await ctx.step('wait-for-cancel', (info) => {
          log.note('waiting');
          return new Promise((_, reject) => info.signal.addEventListener('abort', () => reject(info.signal.reason as Error)));
        });
      });
      defined.push(wf);
      engine = await startEngine({ workflows: [wf], worker: { heartbeatMs: 20 } });
      const h = await engine.lifeline.start(wf, null);
      await waitForEvent(engine, (e) => e.type === 'step.started' && (e.data as { stepId: string }).stepId === 'wait-for-cancel#0');
      // step.started comes before the body is called: a cancel seen by the heartbeat in between skipped the body (a flake).
      for (let i = 0; i < 20_000 && !log.lines.includes('waiting'); i++) await new Promise((r) => setImmediate(r));
      await engine.lifeline.cancel(h.runId);
      await until('cancelled', h.runId);
      expect(log.lines).toEqual(['flight', 'waiting', 'cancel F1']);
      expect((await engine.lifeline.getRun(h.runId))?.compensation).toBe('done');
      expect(await stepRows(h.runId)).toEqual([
        ['book-flight#0', 'completed', 1],
        ['compensate:book-flight#0', 'completed', 1],
      ]);
    });

    it('cancelling a sleeping run with compensable steps sends it to a worker, which compensates and cancels it', async () => {
      const log = journal();
      const wf = defineWorkflow('comp.cancel-sleeping', async (ctx) => {
        await ctx.step('book-flight', () => (log.note('flight'), 'F2'), { compensate: (id) => log.note(`cancel ${id}`) });
        await ctx.sleep('1h');
        await ctx.step('never', () => log.note('never'));
      });
      defined.push(wf);
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, null);
      await until('sleeping', h.runId);
      const asked = await engine.lifeline.cancel(h.runId);
      expect([asked.status, asked.compensation]).toEqual(['pending', 'requested']);
      await until('cancelled', h.runId);
      expect(log.lines).toEqual(['flight', 'cancel F2']);
      const run = await engine.lifeline.getRun(h.runId);
      expect([run?.compensation, run?.error?.name]).toEqual(['done', 'RunCancelledError']);
    });

    it('a run without compensations is still cancelled at once', async () => {
      const wf = defineWorkflow('comp.plain-cancel', async (ctx) => {
        await ctx.step('a', () => 1);
        await ctx.sleep('1h');
      });
      defined.push(wf);
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, null);
      await until('sleeping', h.runId);
      const cancelled = await engine.lifeline.cancel(h.runId);
      expect([cancelled.status, cancelled.compensation]).toEqual(['cancelled', undefined]);
    });

    it('rollback of a completed run compensates it and leaves it completed with its output', async () => {
      const log = journal();
      const wf = saga('comp.rollback', log, () => log.note('charged'));
      engine = await startEngine({ workflows: [wf] });
      const h = await engine.lifeline.start(wf, 'z');
      expect(await h.result()).toEqual({ flight: 'F-z', hotel: 'H-z' });
      const asked = await engine.lifeline.rollback(h.runId);
      expect([asked.status, asked.compensation]).toEqual(['pending', 'requested']);
      await until('completed', h.runId);
      for (let i = 0; (await engine.lifeline.getRun(h.runId))?.compensation !== 'done' && i < 20_000; i++) await new Promise((r) => setImmediate(r));
      expect(log.lines).toEqual(['flight', 'hotel', 'charged', 'cancel H-z', 'cancel F-z']);
      const run = await engine.lifeline.getRun(h.runId);
      expect([run?.status, run?.compensation, run?.output]).toEqual(['completed', 'done', { flight: 'F-z', hotel: 'H-z' }]);
      const events = (await engine.lifeline.store.listEvents({ runId: h.runId })).map((e) => e.type);
      expect(events).toEqual(expect.arrayContaining(['run.rollback_requested', 'run.compensating', 'run.compensated']));
      await expect(engine.lifeline.rollback(h.runId)).rejects.toThrow(
        `Cannot rollback run ${h.runId}: it is completed. Its compensation was already asked for (done).`,
      );
    });

    it('option errors name the field: compensate must be a function, cannot go with cache; step names may not take the compensate: prefix', async () => {
      const bad = defineWorkflow('comp.bad-options', async (ctx, which: number) => {
        if (which === 0) await ctx.step('a', () => 1, { compensate: 'undo' as never });
        if (which === 1) await ctx.step('a', () => 1, { compensate: () => {}, cache: { key: 'k', ttl: '1h' } });
        if (which === 2) await ctx.step('compensate:a', () => 1);
      });
      defined.push(bad);
      engine = await startEngine({ workflows: [bad] });
      const messages = [];
      for (const which of [0, 1, 2]) {
        const h = await engine.lifeline.start(bad, which);
        messages.push(
          await h.result().then(
            () => 'completed',
            (e: Error) => e.message,
          ),
        );
      }
      expect(messages[0]).toContain('Invalid option step "a".compensate: must be a function (got string)');
      expect(messages[1]).toContain(
        'Invalid option step "a".compensate: cannot be combined with `cache`: a result taken from the cache did not run the step in this run, so there is nothing of it to undo',
      );
      expect(messages[2]).toContain(
        'Invalid step name in workflow "comp.bad-options": must not start with "compensate:", which names compensation steps (got "compensate:a")',
      );
    });
  });
}
