// The workers page (GET /workers) and its JSON (GET /api/workers): the workers that recorded
// themselves (issue 12 §4, Store.listWorkers) with the workflow versions each loaded, as
// `lifeline workers` lists them: the live ones (seen in the last LIVE_WORKER_MS), or all with ?all=1.
import type { Hono } from 'hono';
import { LIVE_WORKER_MS, versionKey, type WorkerRecord } from '../../store/versions.js';
import type { DashboardContext } from '../context.js';
import { markup, type HtmlValue } from '../html.js';
import { badge, live, page, table, time } from '../layout.js';

interface ShownWorker extends WorkerRecord {
  live: boolean;
}

async function findWorkers(ctx: DashboardContext, all: boolean): Promise<ShownWorker[]> {
  const now = ctx.lifeline.clock.now();
  const workers = await ctx.lifeline.store.listWorkers(all ? {} : { seenSince: now - LIVE_WORKER_MS });
  return workers.map((w) => ({ ...w, live: w.lastSeenAt >= now - LIVE_WORKER_MS }));
}

export function registerWorkers(app: Hono, ctx: DashboardContext): void {
  app.get('/workers', async (c) => {
    const all = c.req.query('all') === '1';
    const [workers, after] = await Promise.all([findWorkers(ctx, all), ctx.feed.latestId()]);
    const body = [
      markup`<p class="note">${all ? 'Every recorded worker (gone ones are forgotten after an hour).' : `Workers seen in the last ${LIVE_WORKER_MS / 1000} s.`} <a href="/workers${all ? '' : '?all=1'}">${all ? 'Only live workers' : 'Show all recorded workers'}</a></p>`,
      live('workers-table', workersTable(workers, all)),
    ];
    return c.html(page({ title: 'Workers', section: 'workers', after, body }).text);
  });
  app.get('/api/workers', async (c) => c.json(await findWorkers(ctx, c.req.query('all') === '1')));
}

function workersTable(workers: readonly ShownWorker[], all: boolean): HtmlValue {
  return table(
    'Workers and the workflow versions they loaded',
    ['Worker', 'Host', 'PID', 'State', 'Started', 'Last seen', 'Workflows'],
    workers.map((w) => [
      w.id,
      w.host,
      w.pid,
      badge(w.live ? { text: 'live', tone: 'ok' } : { text: 'gone', tone: 'muted' }),
      time(w.startedAt),
      time(w.lastSeenAt),
      w.workflows.map((v) => versionKey(v.workflow, v.version).replace(/@$/, '')).join(', '),
    ]),
    all ? 'No workers recorded.' : 'No live workers: start one (lifeline worker FILE) to run pending runs.',
  );
}
