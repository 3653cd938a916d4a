// The dashboard on PostgreSQL: the pages list and show runs a worker made, and the run page's
// forms retry a failed run and signal a waiting one through the same store.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import { approval, fragile } from '../fixtures/dashboard-workflows.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { tempDir } from '../helpers.js';
import { DashboardClient } from './http-client.js';

const pg = usePostgres();

describe('dashboard on PostgreSQL', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cleanup: () => Promise<void>;
  let lifeline: Lifeline;
  let dashboard: Dashboard;
  const seen: EngineEvent[] = [];
  const waitFor = (runId: string, type: string) =>
    new Promise<void>((resolve) => {
      if (seen.some((e) => e.runId === runId && e.type === type)) return resolve();
      const on = (e: EngineEvent) => {
        if (e.runId === runId && e.type === type) {
          lifeline.events.off('event', on);
          resolve();
        }
      };
      lifeline.events.on('event', on);
    });

  beforeAll(async () => {
    tmp = tempDir('lifeline-dashboard-pg-');
    const fresh = await pg.openFresh();
    cleanup = fresh.cleanup;
    lifeline = await Lifeline.open({ db: fresh.store });
    lifeline.events.on('event', (e) => seen.push(e));
    lifeline.worker({ pollMs: 20 }).start();
    await lifeline.start(fragile, { fixFile: join(tmp.dir, 'fixed') }, { runId: 'pg-fails' });
    await lifeline.start(approval, undefined, { runId: 'pg-waits' });
    await Promise.all([waitFor('pg-fails', 'run.failed'), waitFor('pg-waits', 'run.waiting')]);
    dashboard = await startDashboard({ lifeline, port: 0 });
  });
  afterAll(async () => {
    await dashboard?.close();
    await lifeline?.close();
    await cleanup?.();
    tmp?.cleanup();
  });

  it('lists and shows the runs, and its forms retry and signal them', async () => {
    const client = new DashboardClient(dashboard.url);
    const runs = (await (await client.get('/api/runs')).json()) as Array<{ id: string; status: string }>;
    expect(runs.map((r) => [r.id, r.status]).sort()).toEqual([
      ['pg-fails', 'failed'],
      ['pg-waits', 'waiting'],
    ]);
    const page = await (await client.get('/runs/pg-fails')).text();
    expect(page).toContain('the report service refused the upload');
    writeFileSync(join(tmp.dir, 'fixed'), 'ok');
    const retried = await client.post('/runs/pg-fails/retry', { csrf: DashboardClient.csrfOf(page) });
    expect(retried.status).toBe(303);
    const signalled = await client.post('/runs/pg-waits/signal', { name: 'approve', payload: '{"ok":false}', csrf: DashboardClient.csrfOf(page) });
    expect(new URL(signalled.headers.get('location')!, dashboard.url).searchParams.get('done')).toBe('Signal "approve" sent.');
    await Promise.all([waitFor('pg-fails', 'run.completed'), waitFor('pg-waits', 'run.completed')]);
    const detail = (await (await client.get('/api/runs/pg-waits')).json()) as { run: { status: string; output: string } };
    expect(detail.run).toMatchObject({ status: 'completed', output: '"rejected"' });
  });
});
