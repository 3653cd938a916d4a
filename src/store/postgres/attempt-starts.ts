// Attempt starts, held until the next event-loop turn and then inserted together in ONE statement:
// the engine awaits each start before the step body runs (fenced, extending the lease: see
// src/engine/fenced-start.ts), so starts of concurrent runs share a round trip. A caller that does
// not await its start (the Store contract allows it) may have it taken over by the step's
// commitStep or endAttempt arriving before that turn, which then writes the row itself.
import { LeaseLostError } from '../../errors/store-errors.js';
import type { StartAttemptArgs } from '../store.js';

interface Held {
  args: StartAttemptArgs;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class AttemptStarts {
  private held = new Map<string, Held>();
  private scheduled = false;

  /** `insertMany` returns, per start, whether its fence held (always true for a start without a token). */
  constructor(private readonly insertMany: (starts: StartAttemptArgs[]) => Promise<boolean[]>) {}

  private static key(runId: string, stepId: string, attempt: number): string {
    return `${runId}\u0000${stepId}\u0000${attempt}`;
  }

  /** Holds the start until the next turn; resolves once it is written (or taken over and written). */
  add(args: StartAttemptArgs): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const key = AttemptStarts.key(args.runId, args.stepId, args.attempt);
      // A repeated start of the same attempt keeps the first record, as the row would.
      if (this.held.has(key)) return resolve();
      this.held.set(key, { args, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Takes over the held start of this attempt, if any: the caller writes it with its own
   * statement and then calls `done` with that statement's outcome.
   */
  take(runId: string, stepId: string, attempt: number | undefined): { start: StartAttemptArgs; done: (error?: unknown) => void } | null {
    if (attempt === undefined) return null;
    const key = AttemptStarts.key(runId, stepId, attempt);
    const held = this.held.get(key);
    if (held === undefined) return null;
    this.held.delete(key);
    return {
      start: held.args,
      done: (error?: unknown) => {
        // The start is bookkeeping: if the statement that took it over was refused (lease lost,
        // already committed), write the start on its own as it would have been.
        if (error === undefined) held.resolve();
        else
          this.insertMany([held.args]).then(([fenced]) => (fenced === false ? held.reject(new LeaseLostError(held.args.runId)) : held.resolve()), held.reject);
      },
    };
  }

  /** Writes every held start now (next turn, or before close). */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = [...this.held.values()];
    this.held = new Map();
    if (batch.length === 0) return Promise.resolve();
    return this.insertMany(batch.map((h) => h.args)).then(
      (fenced) => batch.forEach((h, i) => (fenced[i] === false ? h.reject(new LeaseLostError(h.args.runId)) : h.resolve())),
      (error: unknown) => batch.forEach((h) => h.reject(error)),
    );
  }
}
