// A quality gate: named checks over a step's result, run as one recorded step. The step records
// the mode it ran in and every check's verdict, so a replay returns the same outcome even if the
// environment changed since. strict stops the run (GateFailedError), warn records a
// run.gate_warned event once and goes on, off records the gate as skipped without checking.
import { GateFailedError } from '../errors/gate-failed-error.js';
import { redactSecrets } from '../errors/redact.js';
import { checkFunction, checkObject, checkOneOf, checkOptions, checkString, describeValue, optionError } from '../options/option-check.js';
import type { GateCheckReport, GateOutcome } from '../store/events.js';
import type { WorkflowContext } from '../workflow/context.js';
import { ALL_GATES_VARIABLE, GATE_MODES, gateVariable, resolveGateMode, type GateMode } from './gate-mode.js';

/** What a check returns: pass or fail, optionally with a detail saying why. */
export type GateCheckResult = boolean | { pass: boolean; detail?: string };

/** A named check: a predicate over the data it closes over, sync or async. */
export type GateCheck = () => GateCheckResult | Promise<GateCheckResult>;

export interface QualityGateOptions {
  /** strict (default) | warn | off; LIFELINE_GATE_<NAME> and LIFELINE_GATE_MODE override it. */
  mode?: GateMode;
}

const MAX_DETAIL = 500;

/**
 * Runs `checks` as the recorded step `gate:<name>` and returns the outcome. A check that throws
 * fails the step like any step error (classified and retried by class): an error is not a verdict.
 */
export async function qualityGate(ctx: WorkflowContext, name: string, checks: Record<string, GateCheck>, options?: QualityGateOptions): Promise<GateOutcome> {
  checkString(name, 'qualityGate.name', 200);
  if (gateVariable(name) === ALL_GATES_VARIABLE)
    throw optionError('qualityGate.name', `"${name}" would be set by ${ALL_GATES_VARIABLE}, which sets every gate; choose another name`);
  const entries = Object.entries(checkObject(checks, 'qualityGate.checks'));
  if (entries.length === 0) throw optionError('qualityGate.checks', 'must name at least one check (got {})');
  for (const [check, fn] of entries) checkFunction(fn, `qualityGate.checks.${check}`);
  const { mode } = checkOptions(options, 'qualityGate', { mode: (v, path) => checkOneOf(v, path, GATE_MODES) }) as QualityGateOptions;

  const outcome = (await ctx.step(`gate:${name}`, async (): Promise<GateOutcome> => {
    const resolved = resolveGateMode(name, mode);
    if (resolved.mode === 'off') return { gate: name, ...resolved, verdict: 'skipped', checks: [] };
    const reports: GateCheckReport[] = [];
    for (const [check, fn] of entries) reports.push(report(check, await (fn as GateCheck)()));
    const passed = reports.every((r) => r.pass);
    return { gate: name, ...resolved, verdict: passed ? 'passed' : resolved.mode === 'strict' ? 'failed' : 'warned', checks: reports };
  })) as GateOutcome;

  const failed = outcome.checks.filter((c) => !c.pass);
  if (outcome.verdict === 'warned') await ctx.recordEvent('run.gate_warned', { gate: name, failed });
  if (outcome.verdict === 'failed') throw new GateFailedError(name, failed);
  return outcome;
}

function report(name: string, result: GateCheckResult): GateCheckReport {
  if (typeof result === 'boolean') return { name, pass: result };
  const r = result as { pass?: unknown; detail?: unknown } | null;
  if (r === null || typeof r !== 'object' || typeof r.pass !== 'boolean' || (r.detail !== undefined && typeof r.detail !== 'string')) {
    throw optionError(`qualityGate.checks.${name}`, `must return true, false or { pass: boolean, detail?: string } (got ${describeValue(result)})`);
  }
  return r.detail === undefined ? { name, pass: r.pass } : { name, pass: r.pass, detail: redactSecrets(r.detail).slice(0, MAX_DETAIL) };
}
