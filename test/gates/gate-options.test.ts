// Bad gate options and environment values: InvalidOptionsError naming the field or the variable,
// before any check runs (options) or as the gate step's failure (the environment is read there).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import { gateVariable, resolveGateMode } from '../../src/gates/gate-mode.js';
import { qualityGate, type GateCheck, type QualityGateOptions } from '../../src/gates/quality-gate.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { startEngine, tempDir, type TestEngine } from '../helpers.js';

const engines: TestEngine[] = [];
const tmp = tempDir();
afterEach(async () => {
  for (const e of engines.splice(0)) await e.lifeline.close();
  delete process.env.LIFELINE_GATE_PRE_PUBLISH;
});

/** The gate each run calls (the checks are functions, so the run's input is only an index). */
const cases: Array<{ name: string; checks: unknown; options?: unknown }> = [];
const wf = defineWorkflow('gates.options', (ctx, i: number) => {
  const c = cases[i]!;
  return qualityGate(ctx, c.name, c.checks as Record<string, GateCheck>, c.options as QualityGateOptions);
});

async function failure(name: string, checks: unknown, options?: unknown): Promise<[string, string[]]> {
  if (engines.length === 0) engines.push(await startEngine({ db: join(tmp.dir, 'options.db'), workflows: [wf], clock: new ManualClock() }));
  const e = engines[0]!;
  cases.push({ name, checks, options });
  const h = await e.lifeline.start(wf, cases.length - 1);
  const message = await h.result().then(
    () => 'no error',
    (err: Error) => err.message,
  );
  return [message, (await e.lifeline.store.getSteps(h.runId)).map((s) => s.name)];
}

describe('quality gate options', () => {
  it('names the bad field with its bound, before any step is recorded', async () => {
    const ok = { ok: () => true };
    const bad: Array<[string, unknown, unknown, string]> = [
      ['', ok, undefined, 'Invalid option qualityGate.name: must be a non-empty string of at most 200 characters without NUL (got "")'],
      ['mode', ok, undefined, 'Invalid option qualityGate.name: "mode" would be set by LIFELINE_GATE_MODE, which sets every gate; choose another name'],
      ['review', {}, undefined, 'Invalid option qualityGate.checks: must name at least one check (got {})'],
      ['review', [], undefined, 'Invalid option qualityGate.checks: must be an object (got array)'],
      ['review', { cited: true }, undefined, 'Invalid option qualityGate.checks.cited: must be a function (got boolean)'],
      ['review', ok, { mode: 'loud' }, 'Invalid option qualityGate.mode: must be one of "strict", "warn", "off" (got "loud")'],
      ['review', ok, { mod: 'warn' }, 'Invalid option qualityGate.mod: unknown option (known: mode)'],
    ];
    for (const [name, checks, options, message] of bad) {
      const [got, steps] = await failure(name, checks, options);
      expect(got).toContain(new InvalidOptionsError(message).message);
      expect(steps).toEqual([]);
    }
  });

  it('a check that returns something other than a verdict fails the gate step naming the check', async () => {
    const [got, steps] = await failure('review', { words: () => 42 });
    expect(got).toContain('Invalid option qualityGate.checks.words: must return true, false or { pass: boolean, detail?: string } (got 42)');
    expect(steps).toEqual(['gate:review']);
  });

  it('a bad environment value names the variable', async () => {
    process.env.LIFELINE_GATE_PRE_PUBLISH = 'loud';
    const [got] = await failure('pre-publish', { ok: () => true });
    expect(got).toContain('Invalid environment variable LIFELINE_GATE_PRE_PUBLISH: must be one of "strict", "warn", "off" (got "loud")');
    expect(() => resolveGateMode('x', undefined, { LIFELINE_GATE_MODE: 'STRICT' })).toThrow(
      new InvalidOptionsError('Invalid environment variable LIFELINE_GATE_MODE: must be one of "strict", "warn", "off" (got "STRICT")'),
    );
  });

  it('derives the per-gate variable from the name', () => {
    expect([gateVariable('review'), gateVariable('pre-publish'), gateVariable('Fact check 2')]).toEqual([
      'LIFELINE_GATE_REVIEW',
      'LIFELINE_GATE_PRE_PUBLISH',
      'LIFELINE_GATE_FACT_CHECK_2',
    ]);
  });
});
