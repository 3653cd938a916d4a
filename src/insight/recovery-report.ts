// Reads what recovery metrics need from the store: the runs finished in the window (and those
// still going), their attempts, and the recovery decisions taken since the window began.
import type { Lifeline } from '../engine/lifeline.js';
import type { RecoveryRecord } from '../store/recoveries.js';
import type { AttemptRecord } from '../store/types.js';
import { checkKnownKeys, checkObject } from '../options/option-check.js';
import { recoveryMetrics, type RecoveryMetrics } from './recovery.js';
import { insightWindow, type InsightWindowOptions } from './window.js';

/** First-try, recovered and unrecoverable shares, times to recover, reasons and the incident journal (docs/insight.md, "Recovery metrics"). */
export async function recoveryReport(lifeline: Lifeline, options: InsightWindowOptions = {}): Promise<RecoveryMetrics> {
  checkKnownKeys(checkObject(options, 'recoveryReport'), 'recoveryReport', ['since', 'workflow']);
  const window = insightWindow(options, lifeline.clock.now());
  const store = lifeline.store;
  const runs = await store.listRunTimes({ since: window.since, ...(window.workflow !== undefined ? { workflow: window.workflow } : {}) });
  const attempts = new Map<string, AttemptRecord[]>();
  for (const run of runs) attempts.set(run.id, await store.listAttempts(run.id));
  // Decisions about these runs may be older than the window (a run escalated yesterday, resolved today).
  const oldest = runs.reduce((min, r) => Math.min(min, r.createdAt), window.since);
  const decisions = new Map<string, RecoveryRecord[]>();
  for (const d of await store.listRecoveries({ since: oldest, limit: 1_000_000, ...(window.workflow !== undefined ? { workflow: window.workflow } : {}) })) {
    const list = decisions.get(d.runId) ?? [];
    list.push(d);
    decisions.set(d.runId, list);
  }
  return recoveryMetrics({ since: window.since, until: window.until, runs, attempts, decisions });
}
