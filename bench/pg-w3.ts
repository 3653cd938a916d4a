// W3-PG: W3 (w3.ts) with the run in PostgreSQL: `lifeline --db postgres://...?schema=X run|resume`,
// a fresh schema per repetition. The killed `run` process and the `resume` process are on the same
// host, so the resume breaks the dead pid's lease at once (no wait for the lease to lapse).
import type { W3Backend, W3Result, AttemptRow } from './w3.js';
import { benchW3 } from './w3.js';
import { connect, dropSchema, freshSchema, schemaUrl } from './pg-common.js';

function pgBackend(url: string): W3Backend {
  const schemas = new Map<string, string>();
  return {
    db() {
      const schema = freshSchema('w3');
      const db = schemaUrl(url, schema);
      schemas.set(db, schema);
      return Promise.resolve(db);
    },
    async read(db, runId) {
      const schema = schemas.get(db) as string;
      const client = await connect(url);
      try {
        const status = (await client.query<{ status: string }>(`SELECT status FROM "${schema}".runs WHERE id = $1`, [runId])).rows[0]?.status ?? 'missing';
        const attempts = (
          await client.query<AttemptRow>(`SELECT step_id, attempt, outcome, worker_id FROM "${schema}".attempts WHERE run_id = $1 ORDER BY id`, [runId])
        ).rows;
        return { status, attempts };
      } finally {
        await client.end();
      }
    },
    async cleanup(db) {
      const schema = schemas.get(db);
      schemas.delete(db);
      if (schema !== undefined) await dropSchema(url, schema);
    },
  };
}

export function benchW3Pg(url: string, reps = 3, steps = 100, sleepMs = 20, killAt = 50): Promise<W3Result> {
  return benchW3(reps, steps, sleepMs, killAt, pgBackend(url));
}
