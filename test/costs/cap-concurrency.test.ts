// No overspend under concurrency: several real processes, each with several runs, reserve against
// one per-workflow-per-day cap on one database at the same moment (a real SQLite file; the real
// PostgreSQL server of test/pg/). Every granted call is committed at its full worst case, so the
// final committed sum is what was spent: it must never pass the cap, and (the check being exact)
// exactly floor(cap / call) calls are granted.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { openStore } from '../../src/store/open-store.js';
import { makeTempDir } from '../conformance/sqlite-temp.js';
import { usePostgres } from '../pg/pg-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HAMMER = join(ROOT, 'build/test/fixtures/cost-hammer.js');
// The compiled fixture (npm test builds it first): a worker started through tsx spends about a
// second of CPU compiling before it runs, for every process the test starts.
beforeAll(() => assertFreshBuild());
const PROCESSES = 4;
const RUNS = 3;
const CALLS = 10;
const MICROS = 700;
// 120 calls are tried; 37 fit (25_900), the 38th would pass the cap.
const CAP = 26_000;

async function hammer(location: string, schema?: string): Promise<Array<{ granted: number; refused: number }>> {
  let ready = 0;
  const children = Array.from({ length: PROCESSES }, (_, i) =>
    spawn(process.execPath, [HAMMER, location, `p${i}`, String(RUNS), String(CALLS), String(MICROS), String(CAP), ...(schema ? [schema] : [])], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outcomes = await Promise.all(
    children.map(
      (child) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => {
            const before = stdout;
            stdout += d.toString();
            if (!before.includes('ready\n') && stdout.includes('ready\n') && ++ready === PROCESSES) for (const c of children) c.stdin.end('go\n');
          });
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        }),
    ),
  );
  for (const o of outcomes) expect(o.code, o.stderr).toBe(0);
  return outcomes.map((o) => JSON.parse(o.stdout.split('\n').filter((l) => l.startsWith('{'))[0]!) as { granted: number; refused: number });
}

async function expectNoOverspend(location: string, schema?: string): Promise<void> {
  const results = await hammer(location, schema);
  const granted = results.reduce((n, r) => n + r.granted, 0);
  const refused = results.reduce((n, r) => n + r.refused, 0);
  expect(granted + refused).toBe(PROCESSES * RUNS * CALLS);
  const store = await openStore(location, schema === undefined ? {} : { schema });
  try {
    const entries = await store.listCosts({ workflow: 'cost-hammer' });
    const committed = entries.filter((e) => e.state === 'committed').reduce((sum, e) => sum + e.costMicros, 0);
    const reserved = entries.filter((e) => e.state === 'reserved').reduce((sum, e) => sum + e.reservedMicros, 0);
    expect(committed + reserved).toBeLessThanOrEqual(CAP);
    expect(granted).toBe(Math.floor(CAP / MICROS));
    expect(committed).toBe(granted * MICROS);
    // The ledger stayed per run: each run's entries are its own process's.
    expect(entries.every((e) => e.runId.startsWith('p') && e.stepId.startsWith('call#'))).toBe(true);
  } finally {
    await store.close();
  }
}

describe('cost caps under concurrency', () => {
  const pg = usePostgres();
  let remove: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await remove?.();
    remove = undefined;
  });

  it('SQLite file shared by several processes: the per-workflow-per-day cap is never overspent', { timeout: 60_000 }, async () => {
    const tmp = await makeTempDir();
    remove = tmp.remove;
    const location = join(tmp.dir, 'costs.db');
    await (await openStore(location)).close(); // migrated once, before the processes race
    await expectNoOverspend(location);
  });

  it('PostgreSQL shared by several processes: the per-workflow-per-day cap is never overspent', { timeout: 60_000 }, async () => {
    const { store, cleanup } = await pg.openFresh();
    const schema = store.schema;
    await store.close();
    remove = cleanup;
    await expectNoOverspend(pg.server().url, schema);
  });
});
