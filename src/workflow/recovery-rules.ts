// Recovery strategies on a run's final failure (issue 8 §10), per workflow: the rules of
// defineWorkflow's `recovery` option. The engine picks the first rule whose classes match the
// failure and whose bound is not used up (engine/recovery.ts); docs/resilience.md, "Recovery strategies".
import type { ErrorClass } from '../errors/error-class.js';
import type { RecoveryStrategy } from '../store/recoveries.js';
import { checkRecoveryRules } from '../options/recovery-options.js';
import { toMs, type Duration } from './duration.js';

interface RuleBase {
  /** The error classes of the final failure this rule applies to, or '*' for every class but `cancelled`. */
  on: ErrorClass | readonly ErrorClass[] | '*';
  /** At most this many decisions of this rule per run; then the next matching rule applies. */
  max?: number;
  /** Recorded with the decision (and shown on an escalated run). */
  reason?: string;
}

export type RecoveryRule =
  /** Retry the failed step after `delay` (default 1s); default max 3. */
  | (RuleBase & { strategy: 'resume'; delay?: Duration })
  /** Run the workflow again from scratch as a new generation; default max 1. */
  | (RuleBase & { strategy: 'restart' })
  /** Start `workflow` (another workflow or agent) with the same input; this run ends failed. Default max 1. */
  | (RuleBase & { strategy: 'reassign'; workflow: string })
  /** Park the run until a person resolves it (retry, skip or cancel); default max unbounded. */
  | (RuleBase & { strategy: 'escalate' });

export interface ResolvedRecoveryRule {
  index: number;
  strategy: RecoveryStrategy;
  classes: readonly ErrorClass[] | '*';
  max: number;
  delayMs: number;
  workflow: string | null;
  /** Recorded with every decision of this rule; its prefix `recovery[i]` is how decisions are counted per rule. */
  reason: string;
}

const DEFAULT_MAX: Readonly<Record<RecoveryStrategy, number>> = { resume: 3, restart: 1, reassign: 1, escalate: Number.POSITIVE_INFINITY };
export const DEFAULT_RESUME_DELAY_MS = 1000;

/** Validates (InvalidOptionsError naming the field) and resolves a workflow's recovery rules. */
export function resolveRecoveryRules(rules: readonly RecoveryRule[] | undefined, workflow: string): ResolvedRecoveryRule[] {
  if (rules === undefined) return [];
  const path = `workflow "${workflow}".recovery`;
  checkRecoveryRules(rules, path);
  return rules.map((rule, index) => {
    const classes = rule.on === '*' ? '*' : typeof rule.on === 'string' ? [rule.on] : [...rule.on];
    const on = classes === '*' ? '*' : classes.join('|');
    return {
      index,
      strategy: rule.strategy,
      classes,
      max: rule.max ?? DEFAULT_MAX[rule.strategy],
      delayMs: rule.strategy === 'resume' && rule.delay !== undefined ? toMs(rule.delay, `${path}[${index}].delay`) : DEFAULT_RESUME_DELAY_MS,
      workflow: rule.strategy === 'reassign' ? rule.workflow : null,
      reason: `${rulePrefix(index)} ${rule.strategy} on ${on}${rule.reason === undefined ? '' : `: ${rule.reason}`}`,
    };
  });
}

/** How a rule's decisions are recognised among a run's recorded decisions. */
export function rulePrefix(index: number): string {
  return `recovery[${index}]`;
}

export function ruleMatches(rule: ResolvedRecoveryRule, errorClass: ErrorClass): boolean {
  if (errorClass === 'cancelled') return false; // a cancelled run stays cancelled
  return rule.classes === '*' || rule.classes.includes(errorClass);
}
