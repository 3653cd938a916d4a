import { describe, expect, it } from 'vitest';
import { ForeignDatabaseError, SchemaTooNewError, StoreOpenError, StoreUnavailableError } from '../../src/errors/store-errors.js';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { T0, WF } from '../../src/testing/store-conformance/helpers.js';
import { storeConformanceSuite } from '../../src/exports/testing-conformance.js';

const pg = usePostgres();
// The suite drives time through `now`: lease expiry on the caller's clock (leaseClock: 'caller').
storeConformanceSuite({ name: 'postgres', open: () => pg.openFresh({ leaseClock: 'caller' }) });

/** Resolves when `fire` has been called, or rejects after `ms`. */
function waitForCall(ms: number): { fire: () => void; called: Promise<void> } {
  let fire = () => {};
  const called = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not called within ${ms} ms`)), ms);
    fire = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { fire: () => fire(), called };
}

describe('PostgreSQL store specifics', () => {
  it('migrates once when four stores open a fresh schema at the same moment', async () => {
    const schema = pg.freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(pg.server().url, { schema, poolSize: 2, softPoolSize: 1 })));
    try {
      expect(stores.map((s) => s.backend)).toEqual(['postgres', 'postgres', 'postgres', 'postgres']);
      const rows = await pg.withClient(async (c) => (await c.query(`SELECT version, name FROM "${schema}".lifeline_schema`)).rows);
      expect(rows).toEqual([
        { version: 1, name: 'initial schema' },
        { version: 2, name: 'poison runs: claims without progress' },
        { version: 3, name: 'lease renewal time' },
        { version: 4, name: 'fallback alternatives on attempts' },
        { version: 5, name: 'shared circuit breakers' },
        { version: 6, name: 'limits: concurrency slots, rate buckets and retry budgets per key' },
        { version: 7, name: 'recovery decisions' },
        { version: 8, name: 'cost ledger' },
        { version: 9, name: 'attempt details for insight' },
        { version: 10, name: 'insight rollups' },
      ]);
      await stores[0]?.createRun({ id: 'r1', workflow: WF, input: '{}', now: T0 });
      expect((await stores[3]?.getRun('r1'))?.id).toBe('r1');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
    }
  });

  it('upgrades a version-1 schema in place: its runs get a count of 0 claims without progress', async () => {
    const schema = pg.freshSchema();
    await pg.withClient(async (c) => {
      await c.query(`CREATE SCHEMA "${schema}"`);
      await c.query(`CREATE TABLE "${schema}".lifeline_schema (version INTEGER NOT NULL, applied_at BIGINT NOT NULL, name TEXT)`);
      await c.query(MIGRATIONS[0]!.sql.replaceAll('$S', `"${schema}"`));
      await c.query(`INSERT INTO "${schema}".lifeline_schema VALUES (1, $1, 'initial schema')`, [T0]);
      await c.query(
        `INSERT INTO "${schema}".runs (id, workflow, status, input, created_at, updated_at, claim_count) VALUES ('old', $1, 'pending', '{}', $2, $2, 3)`,
        [WF, T0],
      );
    });
    const store = await openPostgresStore(pg.server().url, { schema, poolSize: 2, softPoolSize: 1 });
    try {
      expect(await store.getRun('old')).toMatchObject({ status: 'pending', claimCount: 3, claimsWithoutProgress: 0 });
      const versions = await pg.withClient(async (c) => (await c.query(`SELECT version FROM "${schema}".lifeline_schema ORDER BY 1`)).rows);
      // Every migration applied once, in order (the list is the migrations module's own).
      expect(versions).toEqual([...MIGRATIONS].map((m) => ({ version: m.version })).sort((a, b) => a.version - b.version));
    } finally {
      await store.close();
      await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
    }
  });

  it('refuses a schema from a newer Lifeline and changes nothing', async () => {
    const schema = pg.freshSchema();
    const snapshot = () =>
      pg.withClient(async (c) => ({
        tables: (await c.query('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema])).rows,
        versions: (await c.query(`SELECT * FROM "${schema}".lifeline_schema`)).rows,
      }));
    await pg.withClient(async (c) => {
      await c.query(`CREATE SCHEMA "${schema}"`);
      await c.query(`CREATE TABLE "${schema}".lifeline_schema (version INTEGER NOT NULL, applied_at BIGINT NOT NULL, name TEXT)`);
      await c.query(`INSERT INTO "${schema}".lifeline_schema VALUES (999, $1, 'from the future')`, [T0]);
    });
    const before = await snapshot();
    const error = await openPostgresStore(pg.server().url, { schema }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaTooNewError);
    const location = new URL(pg.server().url);
    expect((error as Error).message).toBe(
      `Database postgres://${location.host}/postgres (schema "${schema}") has schema version 999, but this Lifeline ` +
        'knows versions up to 10. Upgrade Lifeline to open it; the database was not modified.',
    );
    expect(await snapshot()).toEqual(before);
    await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
  });

  it("refuses a schema holding another application's tables and changes nothing", async () => {
    const schema = pg.freshSchema();
    const snapshot = () =>
      pg.withClient(async (c) => ({
        tables: (await c.query('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema])).rows,
        runs: (await c.query(`SELECT * FROM "${schema}".runs`)).rows,
      }));
    await pg.withClient(async (c) => {
      await c.query(`CREATE SCHEMA "${schema}"`);
      await c.query(`CREATE TABLE "${schema}".runs (id SERIAL PRIMARY KEY, who TEXT)`);
      await c.query(`INSERT INTO "${schema}".runs (who) VALUES ('app')`);
    });
    const before = await snapshot();
    const error = await openPostgresStore(pg.server().url, { schema }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ForeignDatabaseError);
    const location = new URL(pg.server().url);
    expect((error as Error).message).toBe(
      `Database postgres://${location.host}/postgres (schema "${schema}") is not a Lifeline database: it holds the table "runs" ` +
        'and no lifeline_schema table. It was left untouched; point --db (or LIFELINE_DB) at a new file or an empty schema.',
    );
    expect(await snapshot()).toEqual(before);
    await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
  });

  it('opens read-only without creating a schema, and reads but never writes', async () => {
    const schema = pg.freshSchema();
    const location = `postgres://${new URL(pg.server().url).host}/postgres (schema "${schema}")`;
    const missing = await openPostgresStore(pg.server().url, { schema, readOnly: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(missing).toEqual(new StoreOpenError(location, 'no Lifeline schema there (a read-only command never creates one; check --db or LIFELINE_DB)'));
    expect(await pg.withClient(async (c) => (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount)).toBe(0);

    const writer = await openPostgresStore(pg.server().url, { schema });
    await writer.createRun({ id: 'r1', workflow: WF, input: '{}', now: T0 });
    await writer.close();
    const reader = await openPostgresStore(pg.server().url, { schema, readOnly: true });
    try {
      expect((await reader.getRun('r1'))?.id).toBe('r1');
      await expect(reader.createRun({ id: 'r2', workflow: WF, input: '{}', now: T0 })).rejects.toThrow(/read-only transaction/);
    } finally {
      await reader.close();
      await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
    }
  });

  it('reports an unreachable server as StoreUnavailableError, never with the password', async () => {
    const port = new URL(pg.server().url).port;
    const closedPort = Number(port) === 1 ? 2 : 1;
    for (const url of [`postgres://app:s3cr3t-pw@127.0.0.1:${closedPort}/life`, `postgresql://app:s3cr3t-pw@127.0.0.1:${closedPort}/life?schema=x`]) {
      const error = await openStore(url).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
      let text = '';
      for (let e: unknown = error; e instanceof Error; e = e.cause) text += `${e.message}\n${e.stack ?? ''}\n`;
      expect(text).not.toContain('s3cr3t-pw');
    }
  });

  it('rejects a malformed URL or schema name without echoing it', async () => {
    const bad = await openStore('postgres://app:s3cr3t-pw@[::1/x').then(
      () => null,
      (e: unknown) => e,
    );
    expect(bad).toMatchObject({ code: 'INVALID_STORE_URL' });
    expect(JSON.stringify(bad) + String((bad as Error).message)).not.toContain('s3cr3t-pw');
    const schema = await openPostgresStore(pg.server().url, { schema: 'no-dashes' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(schema).toMatchObject({ code: 'INVALID_SCHEMA_NAME' });
  });

  it('openStore opens postgres:// URLs with ?schema=', async () => {
    const schema = pg.freshSchema();
    const store = await openStore(`${pg.server().url}?schema=${schema}`);
    try {
      expect(store.backend).toBe('postgres');
      await store.createRun({ id: 'r1', workflow: WF, input: '{}', now: T0 });
      const count = await pg.withClient(async (c) => (await c.query(`SELECT count(*)::int AS n FROM "${schema}".runs`)).rows[0]);
      expect(count).toEqual({ n: 1 });
    } finally {
      await store.close();
      await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
    }
  });

  it('onRunnable fires in another store when a run is created, until unsubscribed', async () => {
    const a = await pg.openFresh();
    const b = await openPostgresStore(pg.server().url, { schema: a.store.schema, poolSize: 2, softPoolSize: 1 });
    try {
      const first = waitForCall(5000);
      let calls = 0;
      const unsubscribe = a.store.onRunnable(() => {
        calls++;
        first.fire();
      });
      // The LISTEN connection is set up asynchronously; keep creating until one is heard.
      for (let i = 0; calls === 0 && i < 50; i++) {
        await b.createRun({ id: `r${i}`, workflow: WF, input: '{}', now: T0 });
        await new Promise((r) => setTimeout(r, 100));
      }
      await first.called;
      unsubscribe();
      const after = calls;
      await b.createRun({ id: 'later', workflow: WF, input: '{}', now: T0 });
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toBe(after);
    } finally {
      await b.close();
      await a.cleanup();
    }
  });
});

describe('PostgreSQL claims skip rows locked by another transaction', () => {
  it('claims the other runs at once while one run row is held FOR UPDATE elsewhere', async () => {
    const schema = pg.freshSchema();
    // lock_timeout on the store's connections: a claim that waits for the held row fails after
    // 2 s instead of returning, so the test fails deterministically rather than by a timing bound.
    const url = new URL(pg.server().url);
    url.searchParams.set('options', '-c lock_timeout=2000');
    const store = await openPostgresStore(url.toString(), { schema, poolSize: 2, softPoolSize: 1 });
    try {
      for (const [i, id] of ['held', 'free-1', 'free-2'].entries()) await store.createRun({ id, workflow: WF, input: '{}', now: T0 + i });
      const args = { workerId: 'w', host: 'h', pid: 1, now: T0 + 10, leaseMs: 30_000, limit: 10, workflows: [WF] };
      await pg.withClient(async (holder) => {
        await holder.query('BEGIN');
        const locked = await holder.query(`SELECT id FROM "${schema}".runs WHERE id = 'held' FOR UPDATE`);
        expect(locked.rows).toEqual([{ id: 'held' }]);
        // Bounded even if the store retried a lock timeout: a blocked claim must not hang the suite.
        const claimed = await Promise.race([
          store.claimRuns(args),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('claimRuns blocked on the locked row')), 10_000).unref()),
        ]);
        expect(claimed.map((r) => r.id)).toEqual(['free-1', 'free-2']);
        expect((await store.getRun('held'))?.status).toBe('pending');
        await holder.query('ROLLBACK');
      });
      expect((await store.claimRuns(args)).map((r) => r.id)).toEqual(['held']);
    } finally {
      await store.close();
      await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
    }
  });

  it('a start the database refuses fails only itself, not the other runs whose starts shared its statement', async () => {
    const { store, cleanup } = await pg.openFresh({ leaseClock: 'caller' });
    try {
      const tokens: string[] = [];
      for (const id of ['good', 'bad']) {
        await store.createRun({ id, workflow: WF, input: '{}', now: T0 });
        const [run] = await store.claimRuns({ workerId: 'w', host: 'h', pid: 1, now: T0, leaseMs: 30_000, limit: 1, workflows: [WF], runId: id });
        tokens.push(run!.lease!.token);
      }
      const base = { stepId: 'a#0', attempt: 1, startedAt: T0 + 1, workerId: 'w', leaseMs: 30_000 };
      // A lone surrogate is not valid in PostgreSQL's json: the shared statement fails (22P02).
      const [good, bad] = await Promise.allSettled([
        store.startAttempt({ ...base, runId: 'good', stepName: 'a', token: tokens[0] }),
        store.startAttempt({ ...base, runId: 'bad', stepName: 'a\ud800', token: tokens[1] }),
      ]);
      expect(good.status).toBe('fulfilled');
      expect(bad.status).toBe('rejected');
      expect((await store.listAttempts('good')).map((a) => [a.stepId, a.outcome])).toEqual([['a#0', 'running']]);
    } finally {
      await cleanup();
    }
  });
});
