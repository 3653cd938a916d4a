// RAW-PG: the floor on PostgreSQL. Single-row INSERTs through `pg` (named, i.e. prepared,
// statements like the store's), each its own transaction:
//  - sequential, one client: autocommit INSERT (1 round trip), and BEGIN / INSERT / COMMIT
//    (3 round trips) -> ms per commit; the two are interleaved per repetition;
//  - 16 concurrent clients, autocommit INSERTs -> commits/s (PostgreSQL's group commit shares
//    WAL flushes between them).
import type pg from 'pg';
import { median, round } from './common.js';
import { connect, dropSchema, freshSchema } from './pg-common.js';

export interface RawPgResult {
  iterations: number;
  /** Mean ms per commit of each repetition. */
  autocommitMsRuns: number[];
  autocommitMs: number;
  txMsRuns: number[];
  txMs: number;
  concurrent: { clients: number; commitsPerClient: number; commitsPerSecRuns: number[]; commitsPerSec: number };
}

/** A raw table and client(s) kept open, so commits can be timed in chunks between other work. */
export class RawPgCommitter {
  private i = 0;
  private readonly insert: string;

  private constructor(
    private readonly url: string,
    private readonly schema: string,
    private readonly client: pg.Client,
  ) {
    this.insert = `INSERT INTO "${schema}".t (v) VALUES ($1)`;
  }

  static async open(url: string): Promise<RawPgCommitter> {
    const schema = freshSchema('raw');
    const client = await connect(url, 'lifeline-bench-raw');
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`CREATE TABLE "${schema}".t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT NOT NULL)`);
    const raw = new RawPgCommitter(url, schema, client);
    await raw.autocommit(50); // warm-up: statement prepared, pages cached
    await raw.tx(50);
    return raw;
  }

  private value(): string {
    return JSON.stringify({ i: this.i++, ok: true });
  }

  /** `n` autocommit INSERTs; mean ms per commit. */
  async autocommit(n: number): Promise<number> {
    const t0 = performance.now();
    for (let k = 0; k < n; k++) await this.client.query({ name: 'raw_insert', text: this.insert, values: [this.value()] });
    return (performance.now() - t0) / n;
  }

  /** `n` explicit transactions BEGIN; INSERT; COMMIT; mean ms per commit. */
  async tx(n: number): Promise<number> {
    const t0 = performance.now();
    for (let k = 0; k < n; k++) {
      await this.client.query('BEGIN');
      await this.client.query({ name: 'raw_insert', text: this.insert, values: [this.value()] });
      await this.client.query('COMMIT');
    }
    return (performance.now() - t0) / n;
  }

  /** `clients` connections, each doing `perClient` autocommit INSERTs at once; commits/s. */
  async concurrent(clients: number, perClient: number): Promise<number> {
    const conns = await Promise.all(Array.from({ length: clients }, () => connect(this.url, 'lifeline-bench-raw')));
    try {
      const one = async (c: pg.Client, n: number) => {
        for (let k = 0; k < n; k++) await c.query({ name: 'raw_insert', text: this.insert, values: [this.value()] });
      };
      await Promise.all(conns.map((c) => one(c, 10))); // prepare on every connection
      const t0 = performance.now();
      await Promise.all(conns.map((c) => one(c, perClient)));
      return (clients * perClient) / ((performance.now() - t0) / 1000);
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
  }

  async close(): Promise<void> {
    await this.client.end();
    await dropSchema(this.url, this.schema);
  }
}

export async function rawPg(url: string, iterations = 1000, repetitions = 3, clients = 16, perClient = 250): Promise<RawPgResult> {
  const raw = await RawPgCommitter.open(url);
  const auto: number[] = [];
  const tx: number[] = [];
  const conc: number[] = [];
  try {
    for (let r = 0; r < repetitions; r++) {
      auto.push(await raw.autocommit(iterations));
      tx.push(await raw.tx(iterations));
    }
    for (let r = 0; r < repetitions; r++) conc.push(await raw.concurrent(clients, perClient));
  } finally {
    await raw.close();
  }
  return {
    iterations,
    autocommitMsRuns: auto.map((v) => round(v, 4)),
    autocommitMs: round(median(auto), 4),
    txMsRuns: tx.map((v) => round(v, 4)),
    txMs: round(median(tx), 4),
    concurrent: { clients, commitsPerClient: perClient, commitsPerSecRuns: conc.map((v) => round(v, 1)), commitsPerSec: round(median(conc), 1) },
  };
}
