// Bench-only instrumentation: counts the store's transactions by wrapping the WriteBatcher's
// commit at runtime (src/ is not modified). Each commit is one BEGIN IMMEDIATE..COMMIT; a
// durable one fsyncs the WAL at synchronous=FULL, a soft-only one runs at NORMAL (no fsync).
import { WriteBatcher } from '../src/store/sqlite/batcher.js';

export interface CommitCounters {
  commits: number;
  durableCommits: number;
  softCommits: number;
  ops: number;
  /** Wall time spent inside commit (SQL + fsync), ms. */
  commitMs: number;
}

interface Op {
  durable: boolean;
}
type CommitFn = (ops: Op[], out: unknown[], durable: boolean) => void;

const counters: CommitCounters = { commits: 0, durableCommits: 0, softCommits: 0, ops: 0, commitMs: 0 };
let installed = false;

export function installCommitProbe(): void {
  if (installed) return;
  installed = true;
  const proto = WriteBatcher.prototype as unknown as { commit: CommitFn };
  const original = proto.commit;
  proto.commit = function (this: unknown, ops: Op[], out: unknown[], durable: boolean): void {
    const t0 = performance.now();
    try {
      original.call(this, ops, out, durable);
    } finally {
      counters.commitMs += performance.now() - t0;
      counters.commits++;
      counters.ops += ops.length;
      if (durable) counters.durableCommits++;
      else counters.softCommits++;
    }
  };
}

export function resetCounters(): void {
  counters.commits = 0;
  counters.durableCommits = 0;
  counters.softCommits = 0;
  counters.ops = 0;
  counters.commitMs = 0;
}

export function snapshot(): CommitCounters {
  return { ...counters };
}
