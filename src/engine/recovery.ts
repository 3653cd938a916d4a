// The recovery decision on a run's final failure (issue 8 §10): the workflow's rules
// (workflow/recovery-rules.ts) pick a strategy by the failure's error class and each rule's bound,
// counted from the run's recorded decisions; the decision is written with the run's status
// change in one fenced store write (Store.recoverRun), so it is taken exactly once however many
// workers race: a worker whose lease moved on writes nothing.
import { StoreRefusedError } from '../errors/store-errors.js';
import type { RecoverArgs } from '../store/store.js';
import type { RecoveryRecord } from '../store/recoveries.js';
import type { StoredError } from '../store/types.js';
import { ruleMatches, rulePrefix, type ResolvedRecoveryRule } from '../workflow/recovery-rules.js';
import type { ExecutionOutcome, FinalWriteHost } from './final-writes.js';
import { registeredWorkflows } from '../workflow/define.js';
import { latestDefinitions } from '../workflow/versions.js';

/** The decision's part of the store write: strategy, reason and what the strategy needs. */
export type RecoveryPlan = Pick<RecoverArgs, 'strategy' | 'reason' | 'wakeAt' | 'takeOver'> & { generation: number };

/** The rule that applies to this failure, or null (the run fails). Reads the run's earlier decisions. */
export async function planRecovery(host: FinalWriteHost, stored: StoredError, cause: unknown): Promise<RecoveryPlan | null> {
  const rules = host.workflow.recovery ?? [];
  // A replay that diverged or a value the store refused fails the same way on every try.
  if (rules.length === 0 || host.nonDeterministic !== null || cause instanceof StoreRefusedError) return null;
  if (!rules.some((r) => ruleMatches(r, stored.errorClass))) return null;
  const prior = await host.storeCall(() => host.store.listRecoveries({ runId: host.runId, limit: 100_000 }), { abortable: false });
  for (const rule of rules) {
    if (!ruleMatches(rule, stored.errorClass)) continue;
    const used = prior.filter((r) => r.reason.startsWith(`${rulePrefix(rule.index)} `)).length;
    if (used >= rule.max) continue;
    return planFor(host, rule, used, prior);
  }
  return null;
}

function planFor(host: FinalWriteHost, rule: ResolvedRecoveryRule, used: number, prior: RecoveryRecord[]): RecoveryPlan {
  const generation = Math.max(1, ...prior.map((r) => r.generation)) + (rule.strategy === 'restart' ? 1 : 0);
  const base = { strategy: rule.strategy, reason: rule.reason, generation };
  switch (rule.strategy) {
    case 'resume':
      return { ...base, wakeAt: host.clock.now() + rule.delayMs };
    case 'reassign':
      return { ...base, takeOver: { runId: `${host.runId}/reassigned-${used + 1}`, ...takeOverWorkflow(host, rule.workflow) } };
    default:
      return base;
  }
}

/** Writes the decision (fenced) with its events; the run's execution in this worker ends here. */
export async function writeRecovery(host: FinalWriteHost, stored: StoredError, plan: RecoveryPlan): Promise<ExecutionOutcome> {
  const stepId = stored.stepId ?? null;
  const events = [
    host.event('run.recovering', {
      strategy: plan.strategy,
      reason: plan.reason,
      errorClass: stored.errorClass,
      stepId,
      ...(plan.wakeAt === undefined ? {} : { wakeAt: plan.wakeAt }),
    }),
    ...(plan.strategy === 'escalate' ? [host.event('run.escalated', { reason: plan.reason, errorClass: stored.errorClass, stepId })] : []),
    ...(plan.strategy === 'restart' ? [host.event('run.restarted', { generation: plan.generation })] : []),
    ...(plan.takeOver
      ? [host.event('run.failed', { error: stored }), host.event('run.reassigned', { to: plan.takeOver.runId, workflow: plan.takeOver.workflow })]
      : []),
  ];
  const { generation: _generation, ...decision } = plan;
  await host.publish(events, (written) =>
    host.storeCall(() => host.store.recoverRun({ runId: host.runId, token: host.token, now: host.clock.now(), error: stored, ...decision, events: written }), {
      abortable: false,
    }),
  );
  return plan.strategy === 'reassign' ? 'failed' : 'recovering';
}

/**
 * The workflow (and version) a reassigned run starts on: the same workflow keeps the failed run's
 * version; another workflow is unversioned unless this process loaded it (then its highest version).
 */
function takeOverWorkflow(host: FinalWriteHost, workflow: string | null | undefined): { workflow: string; version: number | null } {
  if (workflow === undefined || workflow === null || workflow === host.workflow.name)
    return { workflow: host.workflow.name, version: host.workflow.version ?? null };
  const loaded = latestDefinitions(registeredWorkflows()).find((d) => d.name === workflow);
  return { workflow, version: loaded?.version ?? null };
}
