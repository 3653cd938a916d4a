// The API side of recovery decisions: resolving an escalated run (Lifeline.resolve, or the
// signal RESOLVE_SIGNAL), the open escalations, and the decision records for metrics.
import { RunNotFoundError } from '../errors/store-errors.js';
import { checkOneOf, checkObject } from '../options/option-check.js';
import { ESCALATION_ACTIONS, RESOLVE_SIGNAL, type EscalationAction, type RecoveryFilter, type RecoveryRecord } from '../store/recoveries.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';

/** The action a RESOLVE_SIGNAL payload names (InvalidOptionsError naming the field otherwise). */
export function resolveActionOf(payload: unknown): EscalationAction {
  const where = `signal "${RESOLVE_SIGNAL}"`;
  if (typeof payload === 'string') return checkOneOf(payload, `${where} payload`, ESCALATION_ACTIONS);
  return checkOneOf(checkObject(payload, `${where} payload`).action, `${where} payload.action`, ESCALATION_ACTIONS);
}

export async function resolveEscalation(store: Store, runId: string, action: unknown, now: number): Promise<RunRecord> {
  const checked = checkOneOf(action, 'resolve action', ESCALATION_ACTIONS);
  const run = await store.resolveEscalation({ runId, action: checked, now });
  if (!run) throw new RunNotFoundError(runId);
  return run;
}

/** Escalated runs waiting for a resolution, oldest first. */
export async function openEscalations(store: Store, filter: Pick<RecoveryFilter, 'workflow' | 'since' | 'limit'> = {}): Promise<RecoveryRecord[]> {
  const open = await store.listRecoveries({ ...filter, strategy: 'escalate', outcome: 'open' });
  return open.filter((r) => r.resolution === null);
}
