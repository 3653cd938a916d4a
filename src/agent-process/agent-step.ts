import { basename } from 'node:path';
import type { Jsonify } from '../workflow/jsonify.js';
import type { StepOptions, WorkflowContext } from '../workflow/context.js';
import { resolveAgentOptions, type AgentProcessOptions } from './options.js';
import { runAgentProcess, type AgentProcessResult } from './run-agent-process.js';

/**
 * `ctx.step(name, info => runAgentProcess(info, options), stepOptions)`, with the options checked
 * before the step is recorded: a bad option throws InvalidOptionsError from the workflow at once.
 */
export function agentStep<D = AgentProcessResult>(
  ctx: WorkflowContext,
  name: string,
  options: AgentProcessOptions,
  stepOptions?: StepOptions<D>,
): Promise<Jsonify<AgentProcessResult> | Jsonify<D>> {
  resolveAgentOptions(options);
  // Insight groups failures by agent: the program's name, unless the step's tags name one.
  const tags = { agent: basename(options.command).slice(0, 200), ...stepOptions?.tags };
  return ctx.step(name, (info) => runAgentProcess(info, options), { ...stepOptions, tags });
}
