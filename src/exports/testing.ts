// `lifeline-workflows/testing`: what tests of workflows use. The manual clock drives retries,
// timeouts, sleeps and leases without waiting. Loads no test framework: the Store conformance
// suite, which needs vitest, is its own entry point (`lifeline-workflows/testing/conformance`).
export { ManualClock, flushAsync, type Clock, type TimerHandle } from '../time/clock.js';
// Seeded insight histories (docs/insight.md "Scale"): rows to bulk-load into a store for tests and benchmarks.
export {
  generateInsightHistory,
  insightHistoryRuns,
  historyFingerprint,
  HISTORY_FINGERPRINT_VERSION,
  type InsightHistoryOptions,
  type HistoryRun,
  type HistoryStep,
  type HistoryAttempt,
  type HistoryRecovery,
  type HistoryRunRows,
  type HistoryOutcome,
} from '../testing/insight-history.js';
