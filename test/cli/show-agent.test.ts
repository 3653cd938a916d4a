// `lifeline show` (the built CLI) prints what a workflow recorded about itself: the degraded
// level with the missing sections and why, the loops its guard detected, and its quality gates.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { durableLoopGuard } from '../../src/agent/durable-loop-guard.js';
import { degradation } from '../../src/agent/degradation.js';
import { assembleInRun } from '../../src/agent/durable-degradation.js';
import { settleAll } from '../../src/agent/missing.js';
import { qualityGate } from '../../src/gates/quality-gate.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { startEngine, tempDir, waitForEvent } from '../helpers.js';
import { requireBuild, runCli } from './kit.js';

let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  requireBuild();
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());
afterEach(() => {
  delete process.env.LIFELINE_GATE_STYLE;
});

/** `lifeline show <run>`'s lines, from the line starting with `from` on. */
function showLines(db: string, runId: string, from: string): string[] {
  const r = runCli(db, ['show', runId]);
  expect(r.code, r.err).toBe(0);
  const lines = r.out.split('\n');
  return lines.slice(lines.findIndex((l) => l.startsWith(from)));
}

const report = degradation({
  sections: {
    summary: { requires: ['sales'], build: ({ sales }) => `sales ${String(sales)}` },
    outlook: { requires: ['forecast'], build: ({ forecast }) => `outlook ${String(forecast)}` },
    chart: {
      requires: ['sales'],
      build: () => {
        throw new Error('renderer crashed');
      },
    },
  },
  levels: { FULL: ['summary', 'outlook', 'chart'], BASIC: ['summary'] },
});

const wf = defineWorkflow('cli.degraded-report', async (ctx) => {
  const inputs = await settleAll({
    sales: ctx.step('sales', () => 10),
    forecast: ctx.step('forecast', () => {
      throw new ClassifiedError('no forecast for this quarter', { errorClass: 'validation' });
    }),
  });
  const guard = durableLoopGuard(ctx, 'editor', { escalation: ['hint', 'human'] });
  await guard.check('please add the outlook');
  await guard.check('please add the outlook');
  await guard.check('please add the outlook');
  return (await assembleInRun(ctx, 'quarterly', report, inputs)).level;
});

const gated = defineWorkflow('cli.gated-report', async (ctx) => {
  await qualityGate(ctx, 'facts', { cited: () => true, dated: () => true });
  await qualityGate(ctx, 'style', { short: () => ({ pass: false, detail: '412 words, at most 300' }), tone: () => false }, { mode: 'strict' });
  await qualityGate(ctx, 'legal', { reviewed: () => false }, { mode: 'off' });
  return 'done';
});

describe('lifeline show: agent toolkit records', () => {
  it('prints the degraded level, the missing sections with why, and the detected loops', async () => {
    const db = join(tmp.dir, 'show.db');
    const engine = await startEngine({ db, workflows: [wf], clock: new ManualClock() });
    const h = await engine.lifeline.start(wf, null, { runId: 'report-1' });
    await waitForEvent(engine, (e) => e.type === 'run.waiting');
    await engine.lifeline.signal(h.runId, 'loop:editor', 'accepted as is');
    expect(await h.result()).toBe('BASIC');
    await engine.lifeline.close();

    expect(showLines(db, 'report-1', 'loop ').slice(0, 5)).toEqual([
      'loop      editor: repeat (the same value 2 times in a row) -> hint',
      'loop      editor: repeat (the same value 2 times in a row) -> human, waits for signal "loop:editor"',
      'degraded  quarterly: level BASIC, missing outlook, chart',
      '          - outlook: input "forecast" is missing: [validation] Step "forecast#0" failed with validation error after 1 attempt: no forecast for this quarter',
      '          - chart: its builder threw: renderer crashed',
    ]);
  });

  it('prints every quality gate with its verdict, mode and failing checks', async () => {
    const db = join(tmp.dir, 'gates.db');
    process.env.LIFELINE_GATE_STYLE = 'warn';
    const engine = await startEngine({ db, workflows: [gated], clock: new ManualClock() });
    const h = await engine.lifeline.start(gated, null, { runId: 'gated-1' });
    expect(await h.result()).toBe('done');
    await engine.lifeline.close();
    expect(showLines(db, 'gated-1', 'gate ').slice(0, 5)).toEqual([
      'gate      facts: passed (mode strict), 2/2 checks passed',
      'gate      style: warned (mode warn from LIFELINE_GATE_STYLE), 0/2 checks passed',
      '          - short: 412 words, at most 300',
      '          - tone',
      'gate      legal: skipped (mode off), no check run',
    ]);
  });
});
