// The dashboard's issue 12 parts over HTTP on SQLite (docs/observability.md, "Dashboard"): rewind
// from a step row (and its refusals shown on the page), the earlier generations, rollback of a
// run whose steps declared compensations, workflow versions on the run and runs pages, the
// workers page, and the run's messages read or unread.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import type { EngineEvent } from '../../src/index.js';
import { approval, booking, notifier } from '../fixtures/dashboard-workflows.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { DashboardClient } from './http-client.js';

describe('dashboard time travel (SQLite)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: TestEngine;
  let dash: Dashboard;
  const flash = (res: Response) => {
    const q = new URL(res.headers.get('location')!, dash.url).searchParams;
    return { done: q.get('done'), failed: q.get('failed') };
  };
  /** The next event matching `predicate` published after this call (earlier ones do not count). */
  const next = (predicate: (e: EngineEvent) => boolean) => {
    const from = engine.events.length;
    return waitForEvent(engine, (e) => engine.events.indexOf(e) >= from && predicate(e));
  };

  beforeAll(async () => {
    tmp = tempDir('lifeline-dashboard-travel-');
    engine = await startEngine({ db: join(tmp.dir, 'travel.db') });
    await engine.lifeline.start(booking, undefined, { runId: 'booked' });
    await engine.lifeline.start(booking, undefined, { runId: 'again' });
    await engine.lifeline.start(approval, undefined, { runId: 'asks' });
    await Promise.all([
      waitForEvent(engine, (e) => e.runId === 'booked' && e.type === 'run.completed'),
      waitForEvent(engine, (e) => e.runId === 'again' && e.type === 'run.completed'),
      waitForEvent(engine, (e) => e.runId === 'asks' && e.type === 'run.waiting'),
    ]);
    dash = await startDashboard({ lifeline: engine.lifeline, port: 0 });
  });
  afterAll(async () => {
    await dash?.close();
    await engine?.close();
    tmp?.cleanup();
  });

  it('rewinds a finished run to a step from its row, then shows the earlier generation', async () => {
    const client = new DashboardClient(dash.url);
    const page = await (await client.get('/runs/again')).text();
    expect(page).toContain('<p class="empty">The run is completed: rewind it to one of its steps below to run again from there.</p>');
    expect(page).toContain('<input type="hidden" name="to" value="confirm#0" />');
    expect(page).toContain('<button type="submit" aria-label="Rewind to this step (reserve#0)">Rewind to this step</button>');
    expect(page).not.toContain('Earlier generations');
    expect((await client.post('/runs/again/rewind', { to: 'confirm#0' })).status).toBe(403);
    const completedAgain = next((e) => e.runId === 'again' && e.type === 'run.completed');
    const res = await client.post('/runs/again/rewind', { to: 'confirm#0', csrf: DashboardClient.csrfOf(page) });
    expect(res.status).toBe(303);
    expect(flash(res)).toEqual({
      done: 'Rewound to confirm#0: generation 2, 1 step result set aside; the run is pending until a worker picks it up.',
      failed: null,
    });
    await completedAgain;
    const after = await (await client.get('/runs/again')).text();
    expect(after).toMatch(/<dt>Generation<\/dt>\s*<dd>2 \(rewound 1 time\)<\/dd>/);
    expect(after).toContain('<h2>Earlier generations</h2>');
    expect(after).toMatch(/<td>1<\/td>\s*<td><span class="step-id">confirm#0<\/span><\/td>/);
    const json = (await (await client.get('/api/runs/again')).json()) as { generations: Array<{ stepId: string; generation: number; output: string }> };
    expect(json.generations.map((g) => [g.stepId, g.generation, g.output])).toEqual([['confirm#0', 1, '"confirmed seat 12A"']]);
    const rewound = (await engine.lifeline.store.listEvents({ runId: 'again' })).find((e) => e.type === 'run.rewound');
    expect(JSON.parse(rewound!.data as string)).toEqual({ to: 'confirm#0', generation: 2, setAside: 1, from: 'completed', by: 'dashboard' });
  });

  it('shows a refused rewind as a readable message, not an error page', async () => {
    const client = new DashboardClient(dash.url);
    const page = await (await client.get('/runs/asks')).text();
    expect(page).not.toContain('Rewind to this step');
    const csrf = DashboardClient.csrfOf(page);
    expect(flash(await client.post('/runs/asks/rewind', { to: 'draft#0', csrf })).failed).toBe(
      'Cannot rewind run asks: it is waiting. Only a finished run (completed, failed or cancelled) can be rewound: cancel it first, then rewind it.',
    );
    expect(flash(await client.post('/runs/booked/rewind', { to: 'pay', csrf })).failed).toBe(
      'Cannot rewind run booked to "pay": the run has no such step id or step name; its steps are reserve#0, confirm#0.',
    );
    expect(flash(await client.post('/runs/booked/rewind', { to: ' ', csrf })).failed).toBe(
      'Rewind needs the step to continue from (a step id such as "fetch#0").',
    );
    const shown = await client.get(`/runs/asks?${new URLSearchParams({ failed: 'Cannot rewind <run>' }).toString()}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('<p class="flash bad" role="alert">Cannot rewind &lt;run&gt;</p>');
    expect((await engine.lifeline.getRun('asks'))?.status).toBe('waiting');
  });

  it('rolls back a run whose steps declared compensations and marks the compensation steps', async () => {
    const client = new DashboardClient(dash.url);
    const page = await (await client.get('/runs/booked')).text();
    expect(page).toContain('<span class="badge muted">declares a compensation</span>');
    expect(page).toContain('<button type="submit">Roll back</button>');
    expect((await client.post('/runs/booked/rollback', {})).status).toBe(403);
    const compensated = next((e) => e.runId === 'booked' && e.type === 'run.compensated');
    const finished = next((e) => e.runId === 'booked' && e.type === 'run.completed');
    const res = await client.post('/runs/booked/rollback', { csrf: DashboardClient.csrfOf(page) });
    expect(flash(res)).toEqual({ done: 'Rollback requested: the run is pending until its compensations have run.', failed: null });
    await Promise.all([compensated, finished]);
    const after = await (await client.get('/runs/booked')).text();
    expect(after).toMatch(/<p>Compensation <span class="badge ok">done<\/span><\/p>/);
    expect(after).toMatch(/<span class="step-id">compensate:reserve#0<\/span>.*<span class="badge warn" title="undoes reserve#0">compensation<\/span>/);
    expect(after).not.toContain('<button type="submit">Roll back</button>');
    // Its completed steps were undone: a rewind would replay them as if they were not.
    expect(after).not.toContain('Rewind to this step');
    expect(flash(await client.post('/runs/booked/rollback', { csrf: DashboardClient.csrfOf(page) })).failed).toBe(
      'Cannot rollback run booked: it is completed. Its compensation was already asked for (done).',
    );
    expect((await engine.lifeline.getRun('booked'))?.compensation).toBe('done');
  });

  it('shows the workflow version on the run page and name@version in the runs list', async () => {
    const client = new DashboardClient(dash.url);
    expect(await (await client.get('/runs/booked')).text()).toMatch(/<dt>Version<\/dt>\s*<dd>2<\/dd>/);
    expect(await (await client.get('/runs/asks')).text()).toMatch(/<dt>Version<\/dt>\s*<dd><span class="muted">unversioned<\/span><\/dd>/);
    const list = await (await client.get('/runs')).text();
    expect(list).toMatch(/href="\/runs\/booked">booked<\/a><\/td>\s*<td>dash\.booking@2<\/td>/);
    expect(list).toMatch(/href="\/runs\/asks">asks<\/a><\/td>\s*<td>dash\.approval<\/td>/);
  });

  it('lists live workers with the workflow versions they loaded, linked in the nav', async () => {
    const client = new DashboardClient(dash.url);
    const page = await (await client.get('/workers')).text();
    expect(page).toContain('<li><a href="/workers" aria-current="page">Workers</a></li>');
    const workers = (await (await client.get('/api/workers')).json()) as Array<{
      pid: number;
      live: boolean;
      workflows: Array<{ workflow: string; version: number | null }>;
    }>;
    const mine = workers.find((w) => w.pid === process.pid);
    expect(mine?.live).toBe(true);
    expect(mine?.workflows).toContainEqual({ workflow: 'dash.booking', version: 2 });
    expect(mine?.workflows).toContainEqual({ workflow: 'dash.approval', version: null });
    expect(page).toMatch(/<span class="badge ok">live<\/span>/);
    expect(page).toMatch(/dash\.booking@2/);
    expect(page).not.toMatch(/dash\.approval@/);
    expect(await (await client.get('/runs')).text()).toContain('<li><a href="/workers">Workers</a></li>');
  });

  it("shows the run's messages: from whom, read by which step, or unread", async () => {
    const client = new DashboardClient(dash.url);
    expect(await (await client.get('/runs/asks')).text()).not.toContain('<h2>Messages</h2>');
    const completed = next((e) => e.runId === 'asks' && e.type === 'run.completed');
    await engine.lifeline.signal('asks', 'note', { text: '<b>hi</b>' });
    await engine.lifeline.start(notifier, { to: 'asks' }, { runId: 'tells' });
    await waitForEvent(engine, (e) => e.runId === 'tells' && e.type === 'run.completed');
    await engine.lifeline.signal('asks', 'approve', { ok: true });
    await completed;
    const page = await (await client.get('/runs/asks')).text();
    expect(page).toContain('<h2>Messages</h2>');
    expect(page).toContain('Signals and messages sent to the run, in arrival order (3, 2 unread)');
    expect(page).toMatch(
      /<td>note<\/td>\s*<td><span class="muted">outside<\/span><\/td>\s*<td><time[^>]*>[^<]*<\/time><\/td>\s*<td><span class="badge warn">unread<\/span><\/td>/,
    );
    expect(page).toContain('&lt;b&gt;hi&lt;/b&gt;');
    const json = (await (await client.get('/api/runs/asks')).json()) as {
      messages: Array<{ name: string; consumedByStep: string | null; senderRunId: string | null }>;
    };
    expect(page).toMatch(/<td>note<\/td>\s*<td><a href="\/runs\/tells">tells<\/a><\/td>/);
    expect(json.messages.map((m) => [m.name, m.consumedByStep, m.senderRunId])).toEqual([
      ['note', null, null],
      ['note', null, 'tells'],
      ['approve', 'signal:approve#0', null],
    ]);
    expect(page).toMatch(/<td>approve<\/td>\s*<td><span class="muted">outside<\/span><\/td>\s*<td><time[^>]*>[^<]*<\/time><\/td>\s*<td>signal:approve#0<\/td>/);
  });
});
