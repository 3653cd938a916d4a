import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../pg/pg-harness.js';
import { EFFECT_TABLES_SQL } from '../fixtures/chaos-effects.js';
import { requireBuild, runChaos } from './chaos-driver.js';
import { checkChaosInvariants } from './chaos-checks.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20261123);
let server: TestPostgres;

beforeAll(async () => {
  requireBuild();
  server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function sql<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function scenario(name: string, seed: number, fault?: () => Promise<void>): Promise<void> {
  const schema = `chaos_${name}`;
  const effects = `effects_${name}`;
  await sql(`CREATE SCHEMA ${effects}; ${EFFECT_TABLES_SQL(`${effects}.`, 'postgres')}`);
  const db = `${server.url}${server.url.includes('?') ? '&' : '?'}schema=${schema}`;
  const began = Date.now();
  let faultMs: number | undefined;
  const timedFault = fault
    ? async () => {
        const at = Date.now();
        await fault();
        faultMs = Date.now() - at;
      }
    : undefined;
  const report = await runChaos({
    db,
    effects: `${server.url}${server.url.includes('?') ? '&' : '?'}schema=${effects}`,
    runs: 300,
    workers: 3,
    seed,
    maxSeconds: 240,
    ...(timedFault ? { fault: timedFault, faultAfterKills: 2 } : {}),
  });
  const keys = new Set((await sql<{ key: string }>(`SELECT key FROM ${effects}.effects`)).map((r) => r.key));
  const executions = (await sql<{ key: string; pid: number }>(`SELECT key, pid FROM ${effects}.executions ORDER BY id`)).map((r) => ({
    key: r.key,
    pid: Number(r.pid),
  }));
  const checksAt = Date.now();
  await checkChaosInvariants(report, 300, 10, { keys, executions });
  await report.store.close();
  const fault_ = faultMs === undefined ? '' : `, the fault took ${(faultMs / 1000).toFixed(1)} s`;
  console.log(
    `[pg-chaos/${name}] seed=${seed} kills=${report.kills} load ${report.seconds.toFixed(1)} s${fault_}, checks ${((Date.now() - checksAt) / 1000).toFixed(1)} s, total ${((Date.now() - began) / 1000).toFixed(1)} s`,
  );
}

describe('chaos on PostgreSQL: 3 worker processes, random SIGKILLs', () => {
  it(`300 runs x 10 steps all complete, nothing committed or applied twice (seed ${SEED})`, async () => {
    await scenario('plain', SEED);
  }, 300_000);

  it(`the same with PostgreSQL restarted in the middle of the load (seed ${SEED + 1})`, async () => {
    if (process.env.LIFELINE_TEST_PG_URL) throw new Error('the restart scenario needs the harness-managed server: unset LIFELINE_TEST_PG_URL');
    await scenario('restart', SEED + 1, () => server.restart());
  }, 300_000);
});
