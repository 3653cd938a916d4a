// Failure routing (issue 8 §9) on a real SQLite file: counters prove which bodies run, the step
// records and the step.routed events prove each route is recorded, replay takes the same path.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import type { StepRoute } from '../../src/workflow/routes.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
const names: string[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  for (const n of names.splice(0)) unregisterWorkflow(n);
});

const insufficient = () => Object.assign(new Error('insufficient data: need 3 rows, got 1'), { name: 'ValidationError' });

/** `analyze` fails with "insufficient data" until it was routed `needed` times; `data_helper` counts its runs. */
function analyzeWorkflow(name: string, needed: number, route: Partial<StepRoute> = {}, after?: 'sleep') {
  names.push(name);
  const counts = { analyze: 0, helper: 0, seen: [] as unknown[] };
  const wf = defineWorkflow(name, async (ctx) => {
    const result = await ctx.step(
      'analyze',
      (info) => {
        counts.analyze++;
        counts.seen.push(info.routed === undefined ? null : { helper: info.routed.helper, output: info.routed.output, route: info.routed.failure.route });
        const rows = (info.routed?.output as { rows: number } | undefined)?.rows ?? 1;
        if (rows < 1 + needed) throw insufficient();
        return `analysed ${rows} rows`;
      },
      {
        retry: { maxAttempts: 1 },
        routes: [
          {
            when: { errorClass: 'validation', message: /insufficient data/ },
            helper: {
              name: 'data_helper',
              run: (failure) => {
                counts.helper++;
                return { rows: 1 + failure.route, because: failure.message };
              },
            },
            maxRoutes: 2,
            ...route,
          },
        ],
      },
    );
    if (after === 'sleep') await ctx.sleep(1000);
    return result;
  });
  return { wf, counts };
}

describe('failure routing', () => {
  it('runs the helper on a matching final failure and retries the original with its output', async () => {
    const { wf, counts } = analyzeWorkflow('route.once', 1);
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toBe('analysed 2 rows');
    expect(counts.analyze).toBe(2);
    expect(counts.helper).toBe(1);
    expect(counts.seen).toEqual([null, { helper: 'data_helper#0', output: { rows: 2, because: 'insufficient data: need 3 rows, got 1' }, route: 1 }]);
    const steps = await engine.lifeline.store.getSteps(h.runId);
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([
      ['analyze#0', 'failed'],
      ['data_helper#0', 'completed'],
      ['analyze#1', 'completed'],
    ]);
    const stored = (await engine.lifeline.store.listEvents({ runId: h.runId })).filter((e) => e.type === 'step.routed');
    expect(stored.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      {
        stepId: 'analyze#0',
        helper: 'data_helper#0',
        retryStepId: 'analyze#1',
        route: 1,
        errorClass: 'validation',
        message: 'insufficient data: need 3 rows, got 1',
      },
    ]);
  });

  it('takes a route at most maxRoutes times, then the run fails with the last failure', async () => {
    const { wf, counts } = analyzeWorkflow('route.max', 5);
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('Step "analyze#2" failed with validation error after 1 attempt: insufficient data');
    expect(counts).toMatchObject({ analyze: 3, helper: 2 });
    expect(engine.events.filter((e) => e.type === 'step.routed').map((e) => (e.data as { route: number }).route)).toEqual([1, 2]);
  });

  it('a failure the route does not match (class or message) is not routed', async () => {
    const { wf, counts } = analyzeWorkflow('route.nomatch', 1, { when: { errorClass: 'validation', message: 'timed out' } });
    engine = await startEngine({ workflows: [wf] });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow('insufficient data');
    expect(counts).toMatchObject({ analyze: 1, helper: 0 });
    const { wf: wf2, counts: counts2 } = analyzeWorkflow('route.noclass', 1, { when: { errorClass: ['timeout', 'dependency'] } });
    await engine.close();
    engine = await startEngine({ workflows: [wf2] });
    await expect((await engine.lifeline.start(wf2, null)).result()).rejects.toThrow('insufficient data');
    expect(counts2).toMatchObject({ analyze: 1, helper: 0 });
  });

  it('replays the route from its records: no body runs again and no route is recorded twice', async () => {
    const clock = new ManualClock();
    const { wf, counts } = analyzeWorkflow('route.replay', 1, {}, 'sleep');
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping');
    await clock.advance(1000);
    expect(await h.result()).toBe('analysed 2 rows');
    expect(counts).toMatchObject({ analyze: 2, helper: 1 });
    expect(engine.events.filter((e) => e.type === 'step.replayed').map((e) => (e.data as { stepId: string }).stepId)).toEqual([
      'analyze#0',
      'data_helper#0',
      'analyze#1',
    ]);
    expect((await engine.lifeline.store.listEvents({ runId: h.runId })).filter((e) => e.type === 'step.routed')).toHaveLength(1);
  });

  it('refuses bad routes before anything runs, naming the field', async () => {
    const messages: string[] = [];
    const cases: unknown[] = [
      [{ when: { errorClass: 'validation' }, helper: { name: 'h', run: () => 1 }, maxRoutes: 0 }],
      [{ when: { errorClass: 'validation' }, helper: { name: 'h', run: () => 1 }, maxRoutes: -1 }],
      [{ when: { errorClass: 'bogus' }, helper: { name: 'h', run: () => 1 } }],
      [{ when: { errorClass: 'validation' } }],
      [{ when: { errorClass: 'validation' }, helper: { name: 'h' } }],
      [{ when: {}, helper: { name: 'h', run: () => 1 } }],
      [],
    ];
    names.push('route.bad');
    let ran = 0;
    const wf = defineWorkflow('route.bad', async (ctx) => {
      for (const routes of cases) {
        try {
          await ctx.step('s', () => ran++, { routes } as never);
        } catch (error) {
          messages.push((error as Error).message);
        }
      }
      return messages.length;
    });
    engine = await startEngine({ workflows: [wf] });
    expect(await (await engine.lifeline.start(wf, null)).result()).toBe(cases.length);
    expect(ran).toBe(0);
    expect(messages).toEqual([
      'Invalid option step "s".routes[0].maxRoutes: must be an integer from 1 to 100 (got 0)',
      'Invalid option step "s".routes[0].maxRoutes: must be an integer from 1 to 100 (got -1)',
      'Invalid option step "s".routes[0].when.errorClass: must be one of "transient", "rate_limit", "timeout", "dependency", "configuration", "validation", "logic", "interrupted", "cancelled", "unknown" (got "bogus")',
      'Invalid option step "s".routes[0].helper: is required: { name, run }',
      'Invalid option step "s".routes[0].helper.run: must be a function (got undefined)',
      'Invalid option step "s".routes[0].when: must set errorClass, message or both (got {})',
      'Invalid option step "s".routes: must hold at least one route (got [])',
    ]);
  });
});
