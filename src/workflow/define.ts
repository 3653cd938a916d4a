import type { ZodType } from 'zod';
import { DuplicateWorkflowError } from '../errors/workflow-errors.js';
import { InvalidOptionsError } from '../errors/options-error.js';
import type { RetryOptions, RetryPolicy, ClassifierRule } from '../policy/index.js';
import { resolveRetryPolicy } from '../policy/index.js';
import type { WorkflowContext } from './context.js';
import { toMs, type Duration } from './duration.js';
import { checkWorkflowOptions } from '../options/public-options.js';
import { resolveBudget, type BudgetOptions, type ResolvedBudget } from '../costs/budget.js';
import { resolveRecoveryRules, type RecoveryRule, type ResolvedRecoveryRule } from './recovery-rules.js';
import { resolveSchedules, type ScheduleOptions } from '../options/schedule-options.js';
import type { ScheduleDefinition } from '../store/schedules.js';
import { versionKey } from '../store/versions.js';

export interface WorkflowOptions<I, O> {
  /** Checked when a run is started (the start is refused) and, for output, when it completes. */
  inputSchema?: ZodType<I>;
  outputSchema?: ZodType<O>;
  /** Default retry policy of this workflow's steps; a step's own `retry` overrides fields of it. */
  retry?: RetryOptions;
  /** Default timeout of this workflow's steps. */
  stepTimeout?: Duration;
  /** Extra error classification rules, tried before the built-in ones. */
  classifiers?: readonly ClassifierRule[];
  /** Cost caps of model calls reserved through `info.cost` (docs/llm.md, "Costs and caps"). */
  budget?: BudgetOptions;
  /**
   * What a final failure leads to, by its error class: the first rule that matches and whose
   * `max` is not used up (resume, restart, reassign, escalate). None: the run fails.
   * docs/resilience.md, "Recovery strategies".
   */
  recovery?: readonly RecoveryRule[];
  /**
   * Cron schedules: each tick starts one run of this workflow, exactly once across every worker
   * and host. docs/time-travel.md, "Schedules".
   */
  schedules?: readonly ScheduleOptions<I>[];
  /**
   * The version of this definition, a positive integer. A run is pinned to the version that
   * started it and only a worker that loaded that version claims it; one process may load several
   * versions of a workflow. Absent: unversioned (runs of version null). docs/time-travel.md,
   * "Workflow versions".
   */
  version?: number;
}

export interface WorkflowDefinition<I = unknown, O = unknown> {
  readonly name: string;
  /** The definition's version (WorkflowOptions.version); null: unversioned. */
  readonly version: number | null;
  fn(ctx: WorkflowContext, input: I): Promise<O> | O; // method syntax: bivariant, so any workflow fits WorkflowDefinition
  readonly options: WorkflowOptions<I, O>;
  readonly stepTimeoutMs: number | undefined;
  /** The workflow's retry policy, validated and resolved when it was defined. */
  readonly retryPolicy: RetryPolicy;
  /** The workflow's cost caps, validated when it was defined. */
  readonly budget: ResolvedBudget;
  /** The workflow's recovery rules, validated and resolved when it was defined (absent: none). */
  readonly recovery?: readonly ResolvedRecoveryRule[];
  /** The workflow's cron schedules, validated when it was defined (empty: none). */
  readonly schedules: readonly ScheduleDefinition[];
}

/**
 * Every workflow defined in this process, by name and version (versionKey). The CLI finds a file's workflows here. Kept on
 * globalThis so that two copies of this module (a TypeScript workflow file loaded through tsx that
 * imports Lifeline's sources, next to the compiled CLI; or two installed copies of the package)
 * still share one registry.
 */
const REGISTRY_KEY = Symbol.for('lifeline.workflow-registry');
const registry: Map<string, WorkflowDefinition<never, unknown>> = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] ??= new Map()) as Map<
  string,
  WorkflowDefinition<never, unknown>
>;

export function defineWorkflow<I = unknown, O = unknown>(
  name: string,
  fn: (ctx: WorkflowContext, input: I) => Promise<O> | O,
  options: WorkflowOptions<I, O> = {},
): WorkflowDefinition<I, O> {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(name)) {
    throw new InvalidOptionsError(`Invalid workflow name ${JSON.stringify(name)}: use 1-128 letters, digits, "_", ".", ":" or "-"`);
  }
  if (typeof fn !== 'function') throw new InvalidOptionsError(`Workflow "${name}" needs a function (got ${typeof fn})`);
  checkWorkflowOptions(options, name);
  const version = options.version ?? null;
  const key = versionKey(name, version);
  if (registry.has(key)) throw new DuplicateWorkflowError(name, version);
  const def: WorkflowDefinition<I, O> = {
    name,
    version,
    fn,
    options,
    retryPolicy: resolveRetryPolicy(options.retry, undefined, `workflow "${name}".retry`), // validated up front
    budget: resolveBudget(options.budget, `workflow "${name}".budget`),
    recovery: resolveRecoveryRules(options.recovery, name),
    schedules: resolveSchedules(name, options.schedules, options.inputSchema as ZodType | undefined),
    stepTimeoutMs: options.stepTimeout === undefined ? undefined : toMs(options.stepTimeout, `workflow "${name}".stepTimeout`),
  };
  registry.set(key, def as unknown as WorkflowDefinition<never, unknown>);
  return def;
}

export function registeredWorkflows(): WorkflowDefinition[] {
  return [...registry.values()] as unknown as WorkflowDefinition[];
}

/** For tests that define workflows with the same name in one process: every version of it, or only `version`. */
export function unregisterWorkflow(name: string, version?: number | null): void {
  for (const [key, def] of registry) if (def.name === name && (version === undefined || def.version === version)) registry.delete(key);
}
