import { describe, expect, it } from 'vitest';
import { SchemaTooNewError, StoreUnavailableError } from '../../src/errors/store-errors.js';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { T0, WF } from './conformance-helpers.js';
import { describeStoreConformance } from './store-conformance.js';

const pg = usePostgres();
// The suite drives time through `now`: lease expiry on the caller's clock (leaseClock: 'caller').
describeStoreConformance('postgres', () => pg.openFresh({ leaseClock: 'caller' }));

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
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresStore(pg.server().url, { schema, poolSize: 2, softPoolSize: 1 })),
    );
    try {
      expect(stores.map((s) => s.backend)).toEqual(['postgres', 'postgres', 'postgres', 'postgres']);
      const rows = await pg.withClient(async (c) => (await c.query(`SELECT version, name FROM "${schema}".lifeline_schema`)).rows);
      expect(rows).toEqual([{ version: 1, name: 'initial schema' }]);
      await stores[0]?.createRun({ id: 'r1', workflow: WF, input: '{}', now: T0 });
      expect((await stores[3]?.getRun('r1'))?.id).toBe('r1');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
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
        'knows versions up to 1. Upgrade Lifeline to open it; the database was not modified.',
    );
    expect(await snapshot()).toEqual(before);
    await pg.withClient((c) => c.query(`DROP SCHEMA "${schema}" CASCADE`));
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
    const bad = await openStore('postgres://app:s3cr3t-pw@[::1/x').then(() => null, (e: unknown) => e);
    expect(bad).toMatchObject({ code: 'INVALID_STORE_URL' });
    expect(JSON.stringify(bad) + String((bad as Error).message)).not.toContain('s3cr3t-pw');
    const schema = await openPostgresStore(pg.server().url, { schema: 'no-dashes' }).then(() => null, (e: unknown) => e);
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
