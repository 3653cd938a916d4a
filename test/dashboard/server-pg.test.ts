// The dashboard on PostgreSQL: the pages list and show runs a worker made, and the run page's
// forms retry a failed run and signal a waiting one through the same store; a finished run is
// rewound and rolled back from its page, and the workers page lists this worker's versions.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import { approval, booking, fragile } from '../fixtures/dashboard-workflows.js';
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
    await lifeline.start(booking, undefined, { runId: 'pg-booked' });
    await Promise.all([waitFor('pg-fails', 'run.failed'), waitFor('pg-waits', 'run.waiting'), waitFor('pg-booked', 'run.completed')]);
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
      ['pg-booked', 'completed'],
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

  it('rewinds a run from a step row, rolls it back, and lists the worker with its versions', async () => {
    const client = new DashboardClient(dashboard.url);
    const page = await (await client.get('/runs/pg-booked')).text();
    const csrf = DashboardClient.csrfOf(page);
    const flash = (res: Response) => new URL(res.headers.get('location')!, dashboard.url).searchParams;
    /** The next event of pg-booked of this type (earlier ones do not count). */
    const next = (type: string) =>
      new Promise<void>((resolve) => {
        const on = (e: EngineEvent) => {
          if (e.runId === 'pg-booked' && e.type === type) {
            lifeline.events.off('event', on);
            resolve();
          }
        };
        lifeline.events.on('event', on);
      });
    const rewoundCompleted = next('run.completed');
    expect(flash(await client.post('/runs/pg-booked/rewind', { to: 'confirm', csrf })).get('done')).toBe(
      'Rewound to confirm#0: generation 2, 1 step result set aside; the run is pending until a worker picks it up.',
    );
    await rewoundCompleted;
    const rolledBack = Promise.all([next('run.compensated'), next('run.completed')]);
    expect(flash(await client.post('/runs/pg-booked/rollback', { csrf })).get('done')).toBe(
      'Rollback requested: the run is pending until its compensations have run.',
    );
    await rolledBack;
    const detail = (await (await client.get('/api/runs/pg-booked')).json()) as {
      run: { version: number; compensation: string };
      generations: Array<{ stepId: string }>;
    };
    expect(detail.generations.map((g) => g.stepId)).toEqual(['confirm#0']);
    expect(detail.run).toMatchObject({ version: 2, compensation: 'done' });
    const after = await (await client.get('/runs/pg-booked')).text();
    expect(after).toContain('<span class="step-id">compensate:reserve#0</span>');
    expect(after).toContain('<h2>Earlier generations</h2>');
    expect(await (await client.get('/runs')).text()).toMatch(/<td>dash\.booking@2<\/td>/);
    expect(await (await client.get('/workers')).text()).toMatch(/dash\.booking@2/);
  });
});
