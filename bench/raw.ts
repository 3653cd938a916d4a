// RAW: the floor. One single-row INSERT per BEGIN IMMEDIATE ... COMMIT on better-sqlite3,
// with the pragmas the Lifeline store uses (WAL; synchronous FULL, or NORMAL for reference).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { median, round, tempDir } from './common.js';

export interface RawResult {
  synchronous: 'FULL' | 'NORMAL';
  iterations: number;
  /** Mean ms per commit of each repetition. */
  msPerCommitRuns: number[];
  msPerCommit: number;
}

/** A raw database kept open, so commits can be timed in chunks interleaved with other work. */
export class RawCommitter {
  private readonly tmp = tempDir('raw');
  private readonly db: Database.Database;
  private readonly tx: Database.Transaction<(v: string) => unknown>;
  private i = 0;

  constructor(synchronous: 'FULL' | 'NORMAL') {
    this.db = new Database(join(this.tmp.dir, 'raw.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = this.db.prepare('INSERT INTO t (v) VALUES (?)');
    this.tx = this.db.transaction((v: string) => insert.run(v));
    this.commits(50); // warm-up
  }

  /** Runs `n` transactions; returns the mean ms per commit. */
  commits(n: number): number {
    const t0 = performance.now();
    for (let k = 0; k < n; k++, this.i++) this.tx.immediate(JSON.stringify({ i: this.i, ok: true }));
    return (performance.now() - t0) / n;
  }

  close(): void {
    this.db.close();
    this.tmp.cleanup();
  }
}

export function rawCommit(synchronous: 'FULL' | 'NORMAL', iterations = 2000, repetitions = 3): RawResult {
  const runs: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const raw = new RawCommitter(synchronous);
    try {
      runs.push(raw.commits(iterations));
    } finally {
      raw.close();
    }
  }
  return { synchronous, iterations, msPerCommitRuns: runs.map((v) => round(v, 4)), msPerCommit: round(median(runs), 4) };
}
