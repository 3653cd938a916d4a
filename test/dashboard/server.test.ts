// The dashboard server over HTTP (no browser): who may connect (loopback only by default, a
// token otherwise, refused at start without one), the CSRF check, the JSON endpoints (outputs
// redacted and truncated), escaping, and the plug-in points for run columns and insight.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDashboardOptions, startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { escapeHtml, markup } from '../../src/dashboard/html.js';
import { assertFreshBuild } from '../dist-build.js';
import { activityColumn, brokenColumn, brokenInsight, insightProvider } from '../fixtures/dashboard-plugins.js';
import { escalating } from '../fixtures/cli-workflows.js';
import { approval, fragile, LEAKY_KEY, leaky } from '../fixtures/dashboard-workflows.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { CLI, startDashboardProcess } from './dashboard-process.js';
import { DashboardClient } from './http-client.js';

const TOKEN = 'correct-horse-battery-staple';

describe('lifeline dashboard refuses to start', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const tmp = tempDir();
    const db = join(tmp.dir, 'never.db');
    const r = spawnSync(process.execPath, [CLI, '--db', db, 'dashboard', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
    const created = existsSync(db);
    tmp.cleanup();
    return { code: r.status, err: r.stderr, out: r.stdout, created };
  };
  beforeAll(() => assertFreshBuild());

  it('on a non-loopback address without a token, before opening the database', () => {
    const { LIFELINE_DASHBOARD_TOKEN: _unset, ...env } = process.env;
    const r = spawnSync(process.execPath, [CLI, '--db', '/nonexistent/dir/x.db', 'dashboard', '--host', '0.0.0.0'], { encoding: 'utf8', timeout: 30_000, env });
    expect(r.stderr).toBe(
      'lifeline: Invalid option dashboard.token: required to bind to "0.0.0.0", which is not a loopback address: give --token or LIFELINE_DASHBOARD_TOKEN (at least 16 characters), or bind to 127.0.0.1\n',
    );
    expect(r.status).toBe(2);
  });

  it('with a token shorter than 16 characters (from the flag or the environment)', () => {
    expect(cli(['--token', 'short'])).toMatchObject({
      code: 2,
      created: false,
      err: 'lifeline: Invalid option dashboard.token: must be at least 16 characters (got 5)\n',
    });
    expect(cli([], { LIFELINE_DASHBOARD_TOKEN: 'abc' })).toMatchObject({
      code: 2,
      err: 'lifeline: Invalid option dashboard.token: must be at least 16 characters (got 3)\n',
    });
  });

  it('stops on SIGTERM with exit 143 while a page follows the live stream', async () => {
    const tmp = tempDir();
    const dashboard = await startDashboardProcess(join(tmp.dir, 'stop.db'));
    const res = await fetch(new URL('/api/stream', dashboard.url));
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value);
    expect(await dashboard.stop()).toBe(143);
    tmp.cleanup();
  });

  it('checks port and poll interval with their bounds', () => {
    expect(() => checkDashboardOptions({ port: 70000 })).toThrow('Invalid option dashboard.port: must be an integer from 0 to 65535 (got 70000)');
    expect(() => checkDashboardOptions({ pollMs: 5 })).toThrow('Invalid option dashboard.pollMs: must be an integer from 10 to 60000 (got 5)');
    expect(() => checkDashboardOptions({ host: '::1' })).not.toThrow();
  });
});

describe('markup', () => {
  it('escapes every interpolated value, keeps nested fragments', () => {
    const evil = `<script>alert("x")</script>&'`;
    expect(markup`<td title="${evil}">${evil}${markup`<b>${evil}</b>`}</td>`.text).toBe(
      `<td title="${escapeHtml(evil)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</b></td>`,
    );
    expect(markup`${[1, null, undefined, false, 'a<']}`.text).toBe('1a&lt;');
  });
});

describe('dashboard server (SQLite)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: TestEngine;
  let open: Dashboard;
  let guarded: Dashboard;

  beforeAll(async () => {
    tmp = tempDir('lifeline-dashboard-http-');
    engine = await startEngine({ db: join(tmp.dir, 'http.db') });
    await engine.lifeline.start(leaky, undefined, { runId: 'leaky' });
    await engine.lifeline.start(approval, undefined, { runId: 'waits' });
    await engine.lifeline.start(fragile, { fixFile: join(tmp.dir, 'never') }, { runId: 'fails' });
    await engine.lifeline.start(escalating, undefined, { runId: 'escalated' });
    await Promise.all([
      waitForEvent(engine, (e) => e.runId === 'leaky' && e.type === 'run.completed'),
      waitForEvent(engine, (e) => e.runId === 'waits' && e.type === 'run.waiting'),
      waitForEvent(engine, (e) => e.runId === 'fails' && e.type === 'run.failed'),
      waitForEvent(engine, (e) => e.runId === 'escalated' && e.type === 'run.escalated'),
    ]);
    open = await startDashboard({ lifeline: engine.lifeline, port: 0, runColumns: [activityColumn], insight: insightProvider });
    guarded = await startDashboard({ lifeline: engine.lifeline, port: 0, token: TOKEN });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
    await engine?.close();
    tmp?.cleanup();
  });

  it('with a token: refuses requests without it, accepts the header, and a ?token= login sets a cookie', async () => {
    const client = new DashboardClient(guarded.url);
    const refused = await client.get('/runs');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toBe('401 Unauthorized: open the dashboard with ?token=... or send Authorization: Bearer <token>');
    expect((await client.get('/runs?token=wrong-token-of-some-length')).status).toBe(401);
    expect((await client.get('/api/runs', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const login = await client.get(`/runs?status=failed&token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/runs?status=failed');
    expect(login.headers.getSetCookie().join()).toMatch(/lifeline_token=.*HttpOnly; SameSite=Strict/);
    expect((await client.get('/runs?status=failed')).status).toBe(200);
  });

  it('without a token, answers only requests that name a local host (no DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(new URL('/runs', open.url), { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('evil.example:80')).toBe(403);
    expect(await status(`localhost:${open.port}`)).toBe(200);
  });

  it('acts only with the CSRF token of the page, and says what happened', async () => {
    const client = new DashboardClient(open.url);
    const page = await (await client.get('/runs/waits')).text();
    const refused = await client.post('/runs/waits/signal', { name: 'approve', csrf: 'x'.repeat(43) });
    expect(refused.status).toBe(403);
    const bad = await client.post('/runs/waits/signal', { name: 'approve', payload: '{oops', csrf: DashboardClient.csrfOf(page) });
    expect(bad.status).toBe(303);
    expect(new URL(bad.headers.get('location')!, open.url).searchParams.get('failed')).toMatch(/^The signal payload is not valid JSON: /);
    const again = await client.post('/runs/fails/resume', { csrf: DashboardClient.csrfOf(page) });
    expect(new URL(again.headers.get('location')!, open.url).searchParams.get('done')).toBe('Resumed: the run is failed.');
    const retried = await client.post('/runs/waits/retry', { csrf: DashboardClient.csrfOf(page) });
    expect(new URL(retried.headers.get('location')!, open.url).searchParams.get('failed')).toMatch(/waiting/);
    expect((await engine.lifeline.getRun('waits'))?.status).toBe('waiting');
  });

  it('resolves an escalated run from its page (skip: the workflow goes on past the step)', async () => {
    const client = new DashboardClient(open.url);
    const page = await (await client.get('/runs/escalated')).text();
    expect(page).toContain('<label for="resolve-action">Resolution</label>');
    const refused = await client.post('/runs/escalated/resolve', { action: 'ignore', csrf: DashboardClient.csrfOf(page) });
    expect(new URL(refused.headers.get('location')!, open.url).searchParams.get('failed')).toBe(
      'The resolution must be one of retry, skip, cancel (got "ignore").',
    );
    const resolved = await client.post('/runs/escalated/resolve', { action: 'skip', csrf: DashboardClient.csrfOf(page) });
    expect(new URL(resolved.headers.get('location')!, open.url).searchParams.get('done')).toBe('Resolved with skip: the run is pending.');
    await waitForEvent(engine, (e) => e.runId === 'escalated' && e.type === 'run.completed');
    expect(await engine.lifeline.getRun('escalated')).toMatchObject({ status: 'completed', output: { before: 'kept', check: null } });
  });

  it('serves the run as JSON with its outputs redacted and truncated', async () => {
    const res = await new DashboardClient(open.url).get('/api/runs/leaky');
    const body = (await res.json()) as { steps: Array<{ output: string }>; run: { output: string } };
    const output = body.steps[0]!.output;
    expect(output).not.toContain(LEAKY_KEY);
    expect(output).toContain('"note": "used [REDACTED]"');
    expect(output).toMatch(/… \(\d+ more characters\)$/);
    expect(output.length).toBeLessThan(2100);
    const page = await (await new DashboardClient(open.url).get('/runs/leaky')).text();
    expect(page).not.toContain(LEAKY_KEY);
    const list = await (await new DashboardClient(open.url).get('/api/runs?q=leaky')).text();
    expect(list).toContain('used [REDACTED]');
    expect(list).not.toContain(LEAKY_KEY);
  });

  it('filters runs by the fingerprint of a failed attempt', async () => {
    const client = new DashboardClient(open.url);
    const failed = (await engine.lifeline.store.listAttempts('fails')).filter((a) => a.outcome === 'failed');
    const fingerprint = failed[0]?.fingerprint;
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const ids = async (url: string) => ((await (await client.get(url)).json()) as Array<{ id: string }>).map((r) => r.id);
    expect(await ids(`/api/runs?fingerprint=${fingerprint}`)).toEqual(['fails']);
    expect(await ids('/api/runs?fingerprint=0000000000000000')).toEqual([]);
    const page = await (await client.get(`/runs?fingerprint=${fingerprint}`)).text();
    expect(page).toContain('<label for="f-fingerprint">Fingerprint</label>');
    expect(page).toContain('href="/runs/fails"');
    expect(page).not.toContain('href="/runs/leaky"');
  });

  it('shows plugged-in run columns, filters by them, and renders insight sections escaped', async () => {
    const client = new DashboardClient(open.url);
    const runs = await (await client.get('/api/runs?activity=stuck')).json();
    expect((runs as Array<{ id: string; columns: unknown }>).map((r) => [r.id, r.columns])).toEqual([['waits', { activity: { text: 'stuck', tone: 'bad' } }]]);
    const page = await (await client.get('/runs?activity=stuck')).text();
    expect(page).toContain('<th scope="col">Activity</th>');
    expect(page).toContain('<span class="badge bad">stuck</span>');
    const run = await (await client.get('/runs/waits')).text();
    expect(run).toMatch(/<dt>Activity<\/dt>\s*<dd><span class="badge bad">stuck<\/span><\/dd>/);
    const insight = await (await client.get('/insight')).text();
    expect(insight).toMatch(/<h2>Health <span class="badge warn">degraded<\/span><\/h2>/);
    expect(insight).toMatch(/<p class="note">computed from &lt;every&gt; run<\/p>/);
  });

  it('shows a plug-in that throws as unavailable (message redacted) instead of failing the page', async () => {
    const broken = await startDashboard({ lifeline: engine.lifeline, port: 0, runColumns: [brokenColumn], insight: brokenInsight });
    try {
      const client = new DashboardClient(broken.url);
      const runs = await client.get('/runs');
      const page = await runs.text();
      expect(runs.status).toBe(200);
      expect(page).toContain('<span class="badge muted" title="history query failed for [REDACTED]">unavailable</span>');
      const insight = await (await client.get('/api/insight')).json();
      expect(insight).toEqual([
        { title: 'Insight unavailable', verdict: { text: 'error', tone: 'bad' }, columns: ['Error'], rows: [['no baseline yet (token [REDACTED])']] },
      ]);
    } finally {
      await broken.close();
    }
  });

  it('streams new events of a run as server-sent events', async () => {
    const res = await fetch(new URL('/api/stream?run=waits&after=0', open.url));
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/event: change\ndata: \{"id":\d+,"runId":"waits","type":"step.waiting"\}/);
    expect(text).not.toContain('"runId":"leaky"');
    await engine.lifeline.signal('waits', 'approve', { ok: true });
    while (!text.includes('"type":"run.completed"')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('"type":"run.signalled"');
    await reader.cancel();
  });
});
