// Attempt starts, held until the next event-loop turn and then inserted together in ONE statement:
// the engine awaits each start before the step body runs (fenced, extending the lease: see
// src/engine/fenced-start.ts), so starts of concurrent runs share a round trip. A caller that does
// not await its start (the Store contract allows it) may have it taken over by the step's
// commitStep or endAttempt arriving before that turn, which then writes the row itself.
import { LeaseLostError } from '../../errors/store-errors.js';
import { failsWholeBatch } from './batcher.js';
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
    const key = AttemptStarts.key(args.runId, args.stepId, args.attempt);
    const earlier = this.held.get(key);
    // A second start of the same attempt in the same turn (two executions of one run in this
    // process, one of them stale) is written on its own: it must get its own fence verdict and
    // must not resolve before anything was written.
    if (earlier !== undefined) return this.writeAlone(args);
    return new Promise<void>((resolve, reject) => {
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
        else this.writeAlone(held.args).then(held.resolve, held.reject);
      },
    };
  }

  /** One start in a statement of its own; rejects with LeaseLostError when its fence did not hold. */
  private async writeAlone(args: StartAttemptArgs): Promise<void> {
    const [fenced] = await this.insertMany([args]);
    if (fenced === false) throw new LeaseLostError(args.runId);
  }

  /** Writes every held start now (next turn, or before close). */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = [...this.held.values()];
    this.held = new Map();
    if (batch.length === 0) return Promise.resolve();
    return this.insertMany(batch.map((h) => h.args)).then(
      (fenced) => batch.forEach((h, i) => (fenced[i] === false ? h.reject(new LeaseLostError(h.args.runId)) : h.resolve())),
      (error: unknown) => {
        // A refused statement must fail only the start that caused it, not the other runs that
        // shared the round trip: as the statement batcher does, unless the connection itself
        // failed (then every start is retried by its caller), each start is written again alone.
        if (batch.length === 1 || failsWholeBatch(error)) return batch.forEach((h) => h.reject(error));
        return Promise.all(batch.map((h) => this.writeAlone(h.args).then(h.resolve, h.reject))).then(() => {});
      },
    );
  }
}
