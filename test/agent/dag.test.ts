import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDag } from '../../src/agent/dag.js';
import { planDag } from '../../src/agent/dag-plan.js';
import { degradation } from '../../src/agent/degradation.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { ManualClock, flushAsync } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { closeOnClocks, startEngine, tempDir, type TestEngine } from '../helpers.js';

const engines: TestEngine[] = [];
const tmp = tempDir();
afterEach(async () => {
  for (const e of engines.splice(0)) await e.lifeline.close();
});

const one = (): number => 1;

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('planDag', () => {
  it('orders nodes by depth, then as declared', () => {
    const run = () => 1;
    const plan = planDag({ nodes: { report: { needs: ['a', 'b'], run }, a: { run }, c: { needs: ['a'], run }, b: { run } } });
    expect(plan.order).toEqual(['a', 'b', 'report', 'c']);
  });

  it.each([
    [
      { nodes: { a: { needs: ['b'], run: one }, b: { needs: ['c'], run: one }, c: { needs: ['a'], run: one } } },
      'Invalid option dag.nodes: dependency cycle: a -> b -> c -> a',
    ],
    [{ nodes: { a: { needs: ['a'], run: one } } }, 'Invalid option dag.nodes.a.needs[0]: a node cannot need itself (cycle: a -> a)'],
    [{ nodes: { a: { run: one }, b: { needs: ['a', 'x'], run: one } } }, 'Invalid option dag.nodes.b.needs[1]: unknown node "x" (known: a, b)'],
    [{ nodes: { a: { needs: [] } } }, 'Invalid option dag.nodes.a.run: is required (a function)'],
    [{ nodes: {} }, 'Invalid option dag.nodes: must name at least one node (got {})'],
    [{ nodes: { a: { run: one } }, maxConcurrency: 0 }, 'Invalid option dag.maxConcurrency: must be an integer from 1 to 1000 (got 0)'],
    [{ nodes: { a: { run: one, after: [] } } }, 'Invalid option dag.nodes.a.after: unknown option (known: needs, run, step)'],
  ])('rejects %j', (options, message) => {
    expect(() => planDag(options as never)).toThrow(new InvalidOptionsError(message));
  });
});

describe('runDag in a workflow', () => {
  it('a cycle fails the run before any node runs', async () => {
    let ran = 0;
    const wf = defineWorkflow('dag.cycle', (ctx) =>
      runDag(ctx, { nodes: { a: { run: () => ran++ }, b: { needs: ['c'], run: () => ran++ }, c: { needs: ['b'], run: () => ran++ } } }),
    );
    const e = await startEngine({ workflows: [wf], db: join(tmp.dir, 'cycle.db') });
    engines.push(e);
    const h = await e.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('Invalid option dag.nodes: dependency cycle: b -> c -> b');
    expect(ran).toBe(0);
    expect(await e.lifeline.store.getSteps(h.runId)).toEqual([]);
  });

  it('runs at most maxConcurrency nodes at once', async () => {
    const gate = deferred();
    const twoStarted = deferred();
    let running = 0;
    let started = 0;
    const node = () => ({
      run: async () => {
        running++;
        if (++started === 2) twoStarted.resolve();
        await gate.promise;
        running--;
        return started;
      },
    });
    const wf = defineWorkflow('dag.concurrency', (ctx) => runDag(ctx, { maxConcurrency: 2, nodes: { a: node(), b: node(), c: node(), d: node() } }));
    const e = await startEngine({ workflows: [wf], db: join(tmp.dir, 'conc.db'), clock: new ManualClock() });
    engines.push(e);
    const h = await e.lifeline.start(wf, null);
    await twoStarted.promise;
    await flushAsync(20);
    expect([started, running]).toEqual([2, 2]);
    gate.resolve();
    const result = await h.result();
    expect(Object.keys(result.results)).toEqual(['a', 'b', 'c', 'd']);
    expect(started).toBe(4);
  });

  it("a failed node's dependents are skipped with the reason, and the outcome feeds degradation", async () => {
    const ran: string[] = [];
    const report = degradation({
      sections: { people: { requires: ['crm'], build: ({ crm }) => crm }, money: { requires: ['ledger'], build: ({ ledger }) => ledger } },
      levels: { FULL: ['people', 'money'], BASIC: ['people'] },
    });
    const wf = defineWorkflow('dag.failure', async (ctx) => {
      const dag = await runDag(ctx, {
        nodes: {
          fetch: {
            run: () => {
              ran.push('fetch');
              throw new ClassifiedError('ledger export refused', { errorClass: 'validation' });
            },
          },
          crm: { run: () => (ran.push('crm'), 'crm ok') },
          ledger: { needs: ['fetch'], run: () => ran.push('ledger') },
          audit: { needs: ['ledger', 'crm'], run: () => ran.push('audit') },
        },
      });
      return { dag, report: await report.assemble(dag.inputs) };
    });
    const e = await startEngine({ workflows: [wf], db: join(tmp.dir, 'fail.db') });
    engines.push(e);
    const { dag, report: out } = await (await e.lifeline.start(wf, null)).result();
    expect(ran).toEqual(['fetch', 'crm']);
    const fetchFailed = '[validation] Step "dag:fetch#0" failed with validation error after 1 attempt: ledger export refused';
    expect(dag.results).toEqual({ crm: 'crm ok' });
    expect(dag.inputs).toMatchObject({ crm: 'crm ok', fetch: { $missing: fetchFailed } });
    expect(dag.failed).toEqual({ fetch: fetchFailed });
    expect(dag.skipped).toEqual({
      ledger: `needs "fetch", which failed: ${fetchFailed}`,
      audit: `needs "ledger", which was skipped: needs "fetch", which failed: ${fetchFailed}`,
    });
    expect(out).toMatchObject({
      level: 'BASIC',
      missing: [{ section: 'money', reason: `input "ledger" is missing: needs "fetch", which failed: ${fetchFailed}` }],
    });
  });

  it('replays deterministically after a crash although the nodes finished in another order than the replay resolves them', async () => {
    const db = join(tmp.dir, 'replay.db');
    const slowA = deferred<string>();
    const runs: string[] = [];
    let crashD = true;
    const wf = defineWorkflow('dag.replay', (ctx) =>
      runDag(ctx, {
        maxConcurrency: 4,
        nodes: {
          a: { run: async () => (runs.push('a'), slowA.promise) },
          b: { run: () => (runs.push('b'), 'B') },
          c: { needs: ['a'], run: ({ a }) => (runs.push('c'), `C(${String(a)})`) },
          d: {
            needs: ['b'],
            run: (deps, info) => {
              runs.push('d');
              if (!crashD) return `D(${String(deps.b)})`;
              // The first worker dies while d runs: the step never commits.
              return new Promise((_, reject) => info.signal.addEventListener('abort', () => reject(new Error('worker gone'))));
            },
          },
        },
      }),
    );
    const clockA = new ManualClock();
    const first = await startEngine({ workflows: [wf], db, clock: clockA });
    const h = await first.lifeline.start(wf, null);
    // b finishes first, a after it: the first execution sees completions b, a.
    while (!runs.includes('b') || !runs.includes('a')) await flushAsync();
    const bDone = await waitForStep(first, h.runId, 'dag:b#0');
    expect(bDone).toBe(true);
    slowA.resolve('A');
    while (!runs.includes('d')) await flushAsync();
    await closeOnClocks([[first.lifeline, clockA]]);
    expect(runs).toEqual(['a', 'b', 'c', 'd']);

    // A second worker replays a, b, c from the file (they resolve at once, in call order: a before b) and runs d.
    crashD = false;
    const second = await startEngine({ workflows: [wf], db, clock: new ManualClock() });
    engines.push(second);
    expect(await second.lifeline.result(h.runId)).toEqual({
      results: { a: 'A', b: 'B', c: 'C(A)', d: 'D(B)' },
      failed: {},
      skipped: {},
      inputs: { a: 'A', b: 'B', c: 'C(A)', d: 'D(B)' },
    });
    expect(runs).toEqual(['a', 'b', 'c', 'd', 'd']);
    const steps = await second.lifeline.store.getSteps(h.runId);
    expect(steps.map((s) => [s.stepId, s.seq])).toEqual([
      ['dag:a#0', 0],
      ['dag:b#0', 1],
      ['dag:c#0', 2],
      ['dag:d#0', 3],
    ]);
  });
});

async function waitForStep(engine: TestEngine, runId: string, stepId: string): Promise<boolean> {
  for (;;) {
    const steps = await engine.lifeline.store.getSteps(runId);
    if (steps.some((s) => s.stepId === stepId && s.status === 'completed')) return true;
    await flushAsync();
  }
}
