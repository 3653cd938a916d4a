// Degradation inside a workflow: the assembly is one recorded step (its builders run once per
// run), and an output below the best level is recorded on the run as a run.degraded event,
// which `lifeline show` prints.
import { checkString } from '../options/option-check.js';
import type { WorkflowContext } from '../workflow/context.js';
import type { Jsonify } from '../workflow/jsonify.js';
import type { Degradation, DegradedOutput } from './degradation.js';

export async function assembleInRun<O>(
  ctx: WorkflowContext,
  name: string,
  degradation: Degradation<O>,
  inputs: Record<string, unknown>,
): Promise<Jsonify<DegradedOutput<O>>> {
  checkString(name, 'assembleInRun.name', 200);
  const result = await ctx.step(`degrade:${name}`, () => degradation.assemble(inputs));
  if (!result.complete) await ctx.recordEvent('run.degraded', { name, level: result.level, missing: result.missing });
  return result;
}
