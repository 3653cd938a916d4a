// STEP-SQL (diagnostic): exactly the store writes of one W1 step — startAttempt + commitStep
// (with its step.completed event) through the store's own WriteBatcher — flushed synchronously
// back to back, without the engine or the event loop in between. Separates "what the SQL and
// WAL pages of a step cost" from "what the engine adds" (W1 - STEP-SQL).
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { tempDir } from './common.js';

interface Flushable {
  flush(): void;
}

export class StepSqlCommitter {
  private i = 0;
  private readonly pending: Promise<void>[] = [];

  private constructor(
    private readonly store: Store,
    private readonly batcher: Flushable,
    private readonly token: string,
    private readonly cleanup: () => void,
    private readonly withEvent: boolean,
    private readonly withStartAttempt: boolean,
  ) {}

  /**
   * `store`: a SqliteStore to use instead of a fresh one (schema experiments); `withEvent: false`
   * omits the step.completed event; `withStartAttempt: false` leaves the attempt row to
   * commitStep (which inserts it when no started row exists).
   */
  static async open(
    options: { store?: Store; withEvent?: boolean; withStartAttempt?: boolean; synchronous?: 'FULL' | 'NORMAL' } = {},
  ): Promise<StepSqlCommitter> {
    const tmp = tempDir('stepsql');
    const store = options.store ?? (await openSqliteStore(join(tmp.dir, 'stepsql.db'), { synchronous: options.synchronous ?? 'FULL' }));
    const batcher = (store as unknown as { batcher: Flushable }).batcher; // bench-only peek at a private field
    const now = Date.now();
    await store.createRun({ id: 'r1', workflow: 'bench-stepsql', input: '{}', now });
    const [run] = await store.claimRuns({ workerId: 'w', host: 'h', pid: process.pid, now, leaseMs: 3_600_000, limit: 1, workflows: ['bench-stepsql'] });
    const committer = new StepSqlCommitter(store, batcher, run?.lease?.token ?? '', tmp.cleanup, options.withEvent ?? true, options.withStartAttempt ?? true);
    committer.steps(20); // warm-up
    return committer;
  }

  /** Commits `n` steps; returns the mean ms per step. */
  steps(n: number): number {
    const t0 = performance.now();
    for (let k = 0; k < n; k++, this.i++) {
      const i = this.i;
      const stepId = `s${i}#0`;
      const at = Date.now();
      if (this.withStartAttempt)
        this.pending.push(this.store.startAttempt({ runId: 'r1', stepId, stepName: `s${i}`, attempt: 1, startedAt: at, workerId: 'w' }));
      this.pending.push(
        this.store.commitStep({
          runId: 'r1',
          token: this.token,
          now: at,
          step: {
            stepId,
            name: `s${i}`,
            seq: i,
            kind: 'step',
            status: 'completed',
            output: JSON.stringify({ i, ok: true }),
            error: null,
            attempts: 1,
            startedAt: at,
            completedAt: at,
          },
          attempt: { attempt: 1, endedAt: at, outcome: 'succeeded' },
          events: this.withEvent ? [{ runId: 'r1', type: 'step.completed', data: { stepId, attempt: 1 }, at }] : [],
        }),
      );
      this.batcher.flush();
    }
    return (performance.now() - t0) / n;
  }

  async close(): Promise<void> {
    await Promise.all(this.pending);
    await this.store.close();
    this.cleanup();
  }
}
