// PostgreSQL going away and coming back: writes fail with StoreUnavailableError during the outage
// and succeed after it; the LISTEN connection comes back by itself. Needs a server the harness
// owns (it stops and restarts it), so it is skipped, visibly, with LIFELINE_TEST_PG_URL.
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors/store-errors.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { T0, WF, claimArgs, commitArgs } from '../../src/testing/store-conformance/helpers.js';

const external = (process.env['LIFELINE_TEST_PG_URL'] ?? '') !== '';
const pg = usePostgres({ ownServer: true });

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(external)('PostgreSQL outages (needs a harness-owned server; skipped with LIFELINE_TEST_PG_URL)', () => {
  it('refuses writes with StoreUnavailableError while the server is down, then works again', async () => {
    const { store, cleanup } = await pg.openFresh();
    try {
      await store.createRun({ id: 'before', workflow: WF, input: '{}', now: T0 });
      const [run] = await store.claimRuns(claimArgs({ runId: 'before' }));
      if (run === undefined) throw new Error('claim failed');

      await pg.server().stopServer();
      const outage = [
        await store.createRun({ id: 'during', workflow: WF, input: '{}', now: T0 }).then(
          () => null,
          (e: unknown) => e,
        ),
        await store.commitStep(commitArgs(run, 'a#0')).then(
          () => null,
          (e: unknown) => e,
        ),
        await store.getRun('before').then(
          () => null,
          (e: unknown) => e,
        ),
      ];
      for (const error of outage) expect(error).toBeInstanceOf(StoreUnavailableError);
      await pg.server().startServer();

      await store.createRun({ id: 'after', workflow: WF, input: '{}', now: T0 + 1 });
      await store.commitStep(commitArgs(run, 'a#0'));
      expect((await store.getSteps('before')).map((s) => s.stepId)).toEqual(['a#0']);
      expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['after', 'before']);
    } finally {
      await cleanup();
    }
  });

  it('the LISTEN connection reconnects after a restart and hears notifications again', async () => {
    const a = await pg.openFresh();
    const b = await openPostgresStore(pg.server().url, { schema: a.store.schema, poolSize: 2, softPoolSize: 1 });
    try {
      let calls = 0;
      const unsubscribe = a.store.onRunnable(() => calls++);
      let n = 0;
      const createUntilHeard = async () => {
        const seen = calls;
        for (let i = 0; calls === seen && i < 100; i++) {
          await b.createRun({ id: `r${n++}`, workflow: WF, input: '{}', now: T0 });
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(calls).toBeGreaterThan(seen);
      };
      await createUntilHeard();

      const beforeRestart = calls;
      await pg.server().restart();
      // After reconnecting, the listener is called once (notifications may have been missed).
      await until(() => calls > beforeRestart, 15_000, 'the wake-up after reconnecting');
      await createUntilHeard();
      unsubscribe();
    } finally {
      await b.close();
      await a.cleanup();
    }
  });
});
