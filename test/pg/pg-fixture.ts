// Vitest wiring for PostgreSQL tests: the run's shared server (pg-global-setup.ts), or one of the
// file's own (started in beforeAll, stopped in afterAll) for a file that stops or restarts it, and
// a fresh schema per opened store so tests never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { openPostgresStore, type PostgresOpenOptions, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { startTestPostgres, type TestPostgres } from './pg-harness.js';

export interface PgFixture {
  server(): TestPostgres;
  /** A schema name no other test uses. */
  freshSchema(): string;
  /** A store in a fresh schema; cleanup closes it and drops the schema. */
  openFresh(options?: PostgresOpenOptions): Promise<{ store: PostgresStore; cleanup: () => Promise<void> }>;
  /** Runs `fn` with a plain client (admin checks, raw SQL). */
  withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T>;
  /** Two stores on one fresh schema with leases on the callers' clocks: two workers' view of one database, for takeover tests. */
  openPair(): Promise<{ dbA: PostgresStore; dbB: PostgresStore; cleanup: () => Promise<void> }>;
}

/** The run's shared server: stop() leaves it running; stopping or restarting it is refused (other files use it). */
function shared(url: string): TestPostgres {
  const refuse = (what: string) => () =>
    Promise.reject(new Error(`${what} needs a server of the file's own: the shared one serves other files. Use usePostgres({ ownServer: true }).`));
  return { url, stop: () => Promise.resolve(), restart: refuse('restart()'), stopServer: refuse('stopServer()'), startServer: refuse('startServer()') };
}

/** The shared server when the run has one (and `ownServer` is not asked for), else a new one. */
export async function acquirePostgres({ ownServer = false }: { ownServer?: boolean } = {}): Promise<TestPostgres> {
  const url = inject('lifelinePgUrl');
  return !ownServer && url !== undefined && url !== '' ? shared(url) : startTestPostgres();
}

export function usePostgres(options: { ownServer?: boolean } = {}): PgFixture {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await acquirePostgres(options);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  const current = (): TestPostgres => {
    if (server === undefined) throw new Error('PostgreSQL test server not started (beforeAll did not run)');
    return server;
  };
  const withClient = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: current().url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const freshSchema = () => `t_${randomBytes(6).toString('hex')}`;
  const fixture: PgFixture = {
    server: current,
    freshSchema,
    withClient,
    async openPair() {
      const schema = freshSchema();
      const first = await fixture.openFresh({ schema, leaseClock: 'caller' });
      const second = await fixture.openFresh({ schema, leaseClock: 'caller' });
      return {
        dbA: first.store,
        dbB: second.store,
        cleanup: async () => {
          await second.cleanup();
          await first.cleanup();
        },
      };
    },
    async openFresh(options = {}) {
      const schema = options.schema ?? freshSchema();
      // Small pools: each test opens its own store and 200 connections are shared by all.
      const store = await openPostgresStore(current().url, { poolSize: 8, softPoolSize: 2, ...options, schema });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
        },
      };
    },
  };
  return fixture;
}
