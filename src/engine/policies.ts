import { resolveRetryPolicy, type RetryPolicy } from '../policy/index.js';
import type { StepOptions } from '../workflow/context.js';
import type { WorkflowDefinition } from '../workflow/define.js';

const workflowPolicies = new WeakMap<WorkflowDefinition, RetryPolicy>();
const stepPolicies = new WeakMap<object, RetryPolicy>();

/**
 * The retry policy of one step: the workflow's default with the step's fields on top.
 * Validated when first used (an invalid step policy fails the step as a logic error with the
 * validation message); cached per options object so hot loops do not re-validate.
 */
export function retryPolicyFor(workflow: WorkflowDefinition, options: StepOptions, stepName: string): RetryPolicy {
  let base = workflowPolicies.get(workflow);
  if (!base) {
    base = resolveRetryPolicy(workflow.options.retry, undefined, `workflow "${workflow.name}" retry`);
    workflowPolicies.set(workflow, base);
  }
  if (!options.retry) return base;
  let policy = stepPolicies.get(options.retry);
  if (!policy) {
    policy = resolveRetryPolicy(options.retry, base, `step "${stepName}" retry`);
    stepPolicies.set(options.retry, policy);
  }
  return policy;
}
