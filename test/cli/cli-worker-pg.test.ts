// A worker started while PostgreSQL is down waits and retries with backoff, saying so on stderr
// (URL without its password), then claims and finishes runs once the server is up. Needs a
// server the harness owns (it stops and starts it), so it is skipped, visibly, with LIFELINE_TEST_PG_URL.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { startTestPostgres, type TestPostgres } from '../pg/pg-harness.js';
import { fixturePath, requireBuild, startCli } from './kit.js';

const fixture = fixturePath('cli-workflows');
const external = (process.env['LIFELINE_TEST_PG_URL'] ?? '') !== '';
let server: TestPostgres | undefined;

beforeAll(async () => {
  requireBuild();
  if (!external) server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(external)('lifeline worker while PostgreSQL is down (needs a harness-owned server; skipped with LIFELINE_TEST_PG_URL)', () => {
  it('waits with backoff and a redacted message, then claims and finishes a run once the server is up', async () => {
    const pg = server!;
    // trust auth ignores the password: it is here to prove it is never printed
    const url = pg.url.replace('postgres@', 'postgres:hunter2pw@') + '?schema=wait_worker';
    const store = await openStore(url);
    await store.createRun({ id: 'pg-wait-1', workflow: 'cli.greet', input: '{"name":"pg"}', now: Date.now() });
    await store.close();
    await pg.stopServer();

    const cli = startCli(['--db', url, 'worker', fixture]);
    const worker = cli.child;
    const exited = once(worker, 'exit');
    // Fails at once (with what it printed) if the worker exits while it should be waiting or working.
    let expectingExit = false;
    const early = exited.then(([code]) => {
      if (!expectingExit) throw new Error(`the worker exited (${String(code)}) early; stderr:\n${cli.err()}`);
    });
    early.catch(() => {}); // reported through meanwhile(); handled here for the exit we asked for
    const meanwhile = (wanted: Promise<void>) => Promise.race([wanted, early]);
    try {
      // Two retries: it is still waiting, not exiting after the first failure.
      await meanwhile(cli.printed(/retrying in \d+ ms\n[^]*retrying in \d+ ms\n/));
      const location = `postgres://postgres:***@${new URL(pg.url).host}/postgres?schema=wait_worker`;
      const first = cli.err().split('\n')[0];
      expect(first).toMatch(
        new RegExp(
          `^lifeline: cannot reach the database ${location.replace(/[.*?+^$()[\]{}|\\]/g, '\\$&')} \\(The database is unavailable: .*ECONNREFUSED.*\\); retrying in 50 ms$`,
        ),
      );
      expect(cli.err()).toContain('retrying in 100 ms');
      expect(cli.err()).not.toContain('hunter2pw');
      expect(worker.exitCode).toBeNull();

      await pg.startServer();
      await meanwhile(cli.printed(/pg-wait-1 completed/));
      expectingExit = true;
      worker.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(143); // stopped by SIGTERM: 128 + 15
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    const check = await openStore(url);
    try {
      expect((await check.getRun('pg-wait-1'))?.status).toBe('completed');
    } finally {
      await check.close();
    }
    expect(cli.err()).not.toContain('hunter2pw');
  }, 120_000);
});
