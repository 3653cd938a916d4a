import type { ResolvedWorkerOptions } from '../options/public-options.js';

/**
 * A worker as an app sees it (`lifeline.worker()`): it claims runnable runs, executes up to
 * `concurrency` of them, heartbeats their leases and takes over runs whose owner died. The class
 * behind it (worker.ts) and its constructor are internal.
 */
export interface Worker {
  readonly id: string;
  readonly host: string;
  readonly options: ResolvedWorkerOptions;
  /** Runs executing in this worker now. */
  readonly activeRuns: number;
  /** Started and not stopping: it claims runs. */
  readonly isRunning: boolean;
  start(): void;
  /**
   * Stops claiming; lets running steps finish within `graceMs`, then aborts them; gives every
   * run back (pending) so the next start resumes at once instead of waiting for a lease to lapse.
   */
  stop(graceMs?: number): Promise<void>;
}
