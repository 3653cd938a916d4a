import { resolveRetryPolicy, type RetryPolicy } from '../policy/index.js';
import type { StepOptions } from '../workflow/context.js';
import type { WorkflowDefinition } from '../workflow/define.js';

/** Per workflow, per step options object: the same retry object may sit on top of different bases. */
const stepPolicies = new WeakMap<WorkflowDefinition, WeakMap<object, RetryPolicy>>();

/**
 * The retry policy of one step: the workflow's default with the step's fields on top.
 * Validated when first used (an invalid step policy fails the step with the validation
 * message); cached per options object so hot loops do not re-validate.
 */
export function retryPolicyFor(workflow: WorkflowDefinition, options: StepOptions, stepName: string): RetryPolicy {
  if (!options.retry) return workflow.retryPolicy;
  let cache = stepPolicies.get(workflow);
  if (!cache) stepPolicies.set(workflow, (cache = new WeakMap()));
  let policy = cache.get(options.retry);
  if (!policy) {
    policy = resolveRetryPolicy(options.retry, workflow.retryPolicy, `step "${stepName}".retry`);
    cache.set(options.retry, policy);
  }
  return policy;
}
