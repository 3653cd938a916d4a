// Quality gates on a real SQLite file: strict stops the run before the side effect, warn records
// its event once across a resume, off skips, the environment overrides the code, and a replay
// returns the recorded outcome whatever the environment says now.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerSecret } from '../../src/errors/secrets.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { qualityGate, type GateCheck, type QualityGateOptions } from '../../src/gates/quality-gate.js';
import { fromJson } from '../../src/store/serialize.js';
import type { GateOutcome } from '../../src/store/events.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import type { WorkflowDefinition } from '../../src/workflow/define.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';

const engines: TestEngine[] = [];
const tmp = tempDir();
const ENV = ['LIFELINE_GATE_MODE', 'LIFELINE_GATE_REVIEW', 'LIFELINE_GATE_PRE_PUBLISH'];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.lifeline.close();
  for (const v of ENV) delete process.env[v];
});

/** How many times the checks ran (in this process). */
let checked = 0;

const checks: Record<string, GateCheck> = {
  'has-sources': () => {
    checked++;
    return { pass: false, detail: 'no sources cited' };
  },
  'long-enough': async () => {
    await Promise.resolve();
    return true;
  },
};

/** draft → gate "review" → publish (appends a line to `sink`) → optionally waits for a signal. */
function publisher(name: string, options: QualityGateOptions | undefined, wait = false) {
  return defineWorkflow(name, async (ctx, sink: string) => {
    const draft = await ctx.step('draft', () => 'Sales rose.');
    const gate = await qualityGate(ctx, 'review', checks, options);
    await ctx.step('publish', () => appendFileSync(sink, `${draft}\n`));
    if (wait) await ctx.waitForSignal('go');
    return gate.verdict;
  });
}

const published = (sink: string): number => (existsSync(sink) ? readFileSync(sink, 'utf8').split('\n').filter(Boolean).length : 0);

async function engineFor(db: string, workflow: { name: string }): Promise<TestEngine> {
  const e = await startEngine({ db: join(tmp.dir, db), workflows: [workflow as WorkflowDefinition], clock: new ManualClock() });
  engines.push(e);
  return e;
}

/**
 * Runs `wf` until it waits for its signal, closes that worker, calls `between` (the environment
 * changes here), then resumes the run on a new Lifeline over the same file and returns its result.
 */
async function pauseAndResume(wf: ReturnType<typeof publisher>, between: () => void) {
  const sink = join(tmp.dir, `${wf.name}.txt`);
  checked = 0;
  const a = await engineFor(`${wf.name}.db`, wf);
  const h = await a.lifeline.start(wf, sink);
  await waitForEvent(a, (ev) => ev.type === 'run.waiting');
  await a.lifeline.close();
  engines.splice(0);
  between();
  const b = await engineFor(`${wf.name}.db`, wf);
  await b.lifeline.signal(h.runId, 'go', null);
  return { result: await b.lifeline.result(h.runId), engine: b, runId: h.runId, sink };
}

async function gateOutcome(e: TestEngine, runId: string): Promise<GateOutcome> {
  const step = (await e.lifeline.store.getSteps(runId)).find((s) => s.name === 'gate:review');
  return fromJson<GateOutcome>(step!.output);
}

describe('qualityGate', () => {
  it('strict: the run fails with the failing checks named and the later side effect never happens', async () => {
    const wf = publisher('gates.strict', { mode: 'strict' });
    const e = await engineFor('strict.db', wf);
    const sink = join(tmp.dir, 'strict.txt');
    const h = await e.lifeline.start(wf, sink);
    await expect(h.result()).rejects.toThrow('Quality gate "review" failed: 1 check(s) did not pass: has-sources (no sources cited).');
    expect(published(sink)).toBe(0);
    const run = await e.lifeline.store.getRun(h.runId);
    expect(run?.error).toMatchObject({ errorClass: 'validation' });
    expect(await gateOutcome(e, h.runId)).toEqual({
      gate: 'review',
      mode: 'strict',
      source: 'option',
      verdict: 'failed',
      checks: [
        { name: 'has-sources', pass: false, detail: 'no sources cited' },
        { name: 'long-enough', pass: true },
      ],
    });
    // Not retried: the gate ran its checks once, and no publish step was ever started.
    const steps = await e.lifeline.store.getSteps(h.runId);
    expect(steps.map((s) => `${s.name}:${s.status}:${s.attempts}`)).toEqual(['draft:completed:1', 'gate:review:completed:1']);
  });

  it('strict is the default; a gate whose checks pass lets the run go on', async () => {
    const passing = defineWorkflow('gates.passing', async (ctx, sink: string) => {
      const gate = await qualityGate(ctx, 'review', { ok: () => ({ pass: true, detail: 'fine' }) });
      await ctx.step('publish', () => appendFileSync(sink, 'x\n'));
      return gate;
    });
    const e = await engineFor('passing.db', passing);
    const sink = join(tmp.dir, 'passing.txt');
    expect(await (await e.lifeline.start(passing, sink)).result()).toEqual({
      gate: 'review',
      mode: 'strict',
      source: 'default',
      verdict: 'passed',
      checks: [{ name: 'ok', pass: true, detail: 'fine' }],
    });
    expect(published(sink)).toBe(1);
  });

  it('warn: the run goes on and run.gate_warned is written once, even after another worker resumes the run', async () => {
    const { result, engine, runId, sink } = await pauseAndResume(publisher('gates.warn', { mode: 'warn' }, true), () => {});
    expect(result).toBe('warned');
    expect(published(sink)).toBe(1);
    expect(checked).toBe(1);
    const warned = (await engine.lifeline.store.listEvents({ runId })).filter((ev) => ev.type === 'run.gate_warned');
    expect(warned.map((ev) => fromJson(ev.data))).toEqual([{ gate: 'review', failed: [{ name: 'has-sources', pass: false, detail: 'no sources cited' }] }]);
  });

  it('off: the checks are not run, the gate is recorded as skipped, the run goes on', async () => {
    const wf = publisher('gates.off', { mode: 'off' });
    const e = await engineFor('off.db', wf);
    const sink = join(tmp.dir, 'off.txt');
    checked = 0;
    const h = await e.lifeline.start(wf, sink);
    expect(await h.result()).toBe('skipped');
    expect(checked).toBe(0);
    expect(published(sink)).toBe(1);
    expect(await gateOutcome(e, h.runId)).toEqual({ gate: 'review', mode: 'off', source: 'option', verdict: 'skipped', checks: [] });
  });

  it('the environment overrides the option: LIFELINE_GATE_<NAME> first, then LIFELINE_GATE_MODE', async () => {
    const wf = publisher('gates.env', { mode: 'strict' });
    const e = await engineFor('env.db', wf);
    const sink = join(tmp.dir, 'env.txt');
    const outcome = async (): Promise<[string, string]> => {
      const h = await e.lifeline.start(wf, sink);
      const verdict = await h.result().catch((err: Error) => (err.message.endsWith('did not pass: has-sources (no sources cited).') ? 'failed' : err.message));
      return [verdict, (await gateOutcome(e, h.runId)).source];
    };
    process.env.LIFELINE_GATE_MODE = 'warn';
    expect(await outcome()).toEqual(['warned', 'LIFELINE_GATE_MODE']);
    process.env.LIFELINE_GATE_REVIEW = 'off';
    expect(await outcome()).toEqual(['skipped', 'LIFELINE_GATE_REVIEW']);
    process.env.LIFELINE_GATE_MODE = 'off';
    process.env.LIFELINE_GATE_REVIEW = 'strict';
    expect(await outcome()).toEqual(['failed', 'LIFELINE_GATE_REVIEW']);
    // An empty variable counts as unset.
    process.env.LIFELINE_GATE_REVIEW = '';
    expect(await outcome()).toEqual(['skipped', 'LIFELINE_GATE_MODE']);
    expect(published(sink)).toBe(3);
  });

  it('a replay after the environment changed returns the recorded outcome (the mode is recorded)', async () => {
    process.env.LIFELINE_GATE_REVIEW = 'warn';
    // Before the resume the environment turns strict: the resumed run replays the gate recorded as warn.
    const { result, engine, runId, sink } = await pauseAndResume(publisher('gates.replay', undefined, true), () => {
      process.env.LIFELINE_GATE_REVIEW = 'strict';
    });
    expect(result).toBe('warned');
    expect(checked).toBe(1);
    expect(published(sink)).toBe(1);
    expect(await gateOutcome(engine, runId)).toMatchObject({ mode: 'warn', source: 'LIFELINE_GATE_REVIEW', verdict: 'warned' });
  });

  it('a gate recorded as off stays skipped on replay when the environment no longer turns it off', async () => {
    process.env.LIFELINE_GATE_MODE = 'off';
    const { result } = await pauseAndResume(publisher('gates.replay-off', undefined, true), () => {
      delete process.env.LIFELINE_GATE_MODE;
    });
    expect(result).toBe('skipped');
    expect(checked).toBe(0);
  });

  it('a check that throws fails the gate step with its own error, not as a verdict', async () => {
    const wf = defineWorkflow('gates.throws', async (ctx) => {
      await qualityGate(ctx, 'review', {
        'fact-check': () => {
          throw new ClassifiedError('fact checker refused the request', { errorClass: 'validation' });
        },
      });
      return 'went on';
    });
    const e = await engineFor('throws.db', wf);
    const h = await e.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('fact checker refused the request');
    const [step] = await e.lifeline.store.getSteps(h.runId);
    expect([step?.name, step?.status, step?.error?.errorClass]).toEqual(['gate:review', 'failed', 'validation']);
  });

  it('a detail carrying a registered secret is stored redacted', async () => {
    registerSecret('gate-secret-value-42');
    const wf = defineWorkflow('gates.secret', (ctx) =>
      qualityGate(ctx, 'review', { leak: () => ({ pass: false, detail: 'called with gate-secret-value-42' }) }, { mode: 'warn' }),
    );
    const e = await engineFor('secret.db', wf);
    const h = await e.lifeline.start(wf, null);
    expect((await h.result()).checks).toEqual([{ name: 'leak', pass: false, detail: 'called with [REDACTED]' }]);
    const events = await e.lifeline.store.listEvents({ runId: h.runId });
    expect(JSON.stringify(events)).not.toContain('gate-secret-value-42');
  });
});
