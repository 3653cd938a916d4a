// The runs page (GET /runs) and its JSON (GET /api/runs): filter by status, workflow, error class
// and the plugged-in columns, search by id.
import type { Hono } from 'hono';
import { ERROR_CLASSES } from '../../errors/error-class.js';
import type { RunRecord, RunStatus } from '../../store/types.js';
import { flashOf, type DashboardContext } from '../context.js';
import { preview, statusCell } from '../format.js';
import { markup, type HtmlValue } from '../html.js';
import { badge, live, page, table, time } from '../layout.js';
import { columnCells, type Cell } from '../plugins.js';

export const STATUSES: readonly RunStatus[] = ['pending', 'running', 'sleeping', 'waiting', 'parked', 'completed', 'failed', 'cancelled'];
const PAGE_SIZE = 200;

export interface RunsQuery {
  status?: string;
  workflow?: string;
  errorClass?: string;
  /** Runs with a failed attempt of this fingerprint (insight's failure groups). */
  fingerprint?: string;
  q?: string;
  columns: Record<string, string>;
}

export interface RunRow {
  run: RunRecord;
  cells: Record<string, Cell>;
}

export async function findRuns(ctx: DashboardContext, query: RunsQuery): Promise<RunRow[]> {
  const store = ctx.lifeline.store;
  const status = STATUSES.includes(query.status as RunStatus) ? (query.status as RunStatus) : undefined;
  let runs = await store.listRuns({ ...(status ? { status } : {}), ...(query.workflow ? { workflow: query.workflow } : {}), limit: PAGE_SIZE });
  if (query.q) {
    const q = query.q;
    const exact = await store.getRun(q);
    runs = runs.filter((r) => r.id.includes(q) && r.id !== q);
    if (exact && (!status || exact.status === status)) runs.unshift(exact);
  }
  if (query.errorClass) runs = runs.filter((r) => r.error?.errorClass === query.errorClass);
  if (query.fingerprint) {
    // One attempts read per run of the page (at most PAGE_SIZE), only when this filter is set.
    const fingerprint = query.fingerprint;
    const matches = await Promise.all(runs.map(async (r) => (await store.listAttempts(r.id)).some((a) => a.fingerprint === fingerprint)));
    runs = runs.filter((_, i) => matches[i]);
  }
  const rows: RunRow[] = runs.map((run) => ({ run, cells: {} }));
  const now = ctx.lifeline.clock.now();
  for (const column of ctx.runColumns) {
    const cells = await columnCells(column, runs, store, now);
    for (const row of rows) {
      const cell = cells.get(row.run.id);
      if (cell) row.cells[column.key] = cell;
    }
  }
  return rows.filter((row) => Object.entries(query.columns).every(([key, want]) => !want || row.cells[key]?.text === want));
}

export function runsQuery(ctx: DashboardContext, q: (name: string) => string | undefined): RunsQuery {
  const columns: Record<string, string> = {};
  for (const c of ctx.runColumns) columns[c.key] = q(c.key) ?? '';
  return { status: q('status'), workflow: q('workflow'), errorClass: q('errorClass'), fingerprint: q('fingerprint')?.trim(), q: q('q')?.trim(), columns };
}

export function registerRuns(app: Hono, ctx: DashboardContext): void {
  app.get('/', (c) => c.redirect('/runs'));
  app.get('/runs', async (c) => {
    const query = runsQuery(ctx, (n) => c.req.query(n));
    const [rows, after] = await Promise.all([findRuns(ctx, query), ctx.feed.latestId()]);
    return c.html(
      page({
        title: 'Runs',
        section: 'runs',
        after,
        flash: flashOf((n) => c.req.query(n)),
        body: [filterForm(ctx, query, rows), live('runs-table', runsTable(ctx, rows))],
      }).text,
    );
  });
  app.get('/api/runs', async (c) => {
    const rows = await findRuns(
      ctx,
      runsQuery(ctx, (n) => c.req.query(n)),
    );
    // Input and output as on the pages: redacted, pretty-printed and cut (format.ts preview).
    return c.json(rows.map(({ run, cells }) => ({ ...run, input: preview(run.input), output: preview(run.output), columns: cells })));
  });
}

function select(name: string, label: string, value: string | undefined, choices: readonly string[]): HtmlValue {
  return markup`<label for="f-${name}">${label}</label>
    <select id="f-${name}" name="${name}">
      <option value="">any</option>
      ${choices.map((s) => markup`<option${s === value ? markup` selected` : ''}>${s}</option>`)}
    </select>`;
}

function filterForm(ctx: DashboardContext, query: RunsQuery, rows: readonly RunRow[]): HtmlValue {
  const workflows = [...new Set([...rows.map((r) => r.run.workflow), ...(query.workflow ? [query.workflow] : [])])].sort();
  return markup`<form class="filters" method="get" action="/runs" role="search" aria-label="Filter runs">
    ${select('status', 'Status', query.status, STATUSES)} ${select('workflow', 'Workflow', query.workflow, workflows)}
    ${select('errorClass', 'Error class', query.errorClass, ERROR_CLASSES)}
    ${ctx.runColumns.map((col) => select(col.key, col.title, query.columns[col.key], [...new Set(rows.map((r) => r.cells[col.key]?.text).filter((t): t is string => !!t))].sort()))}
    <label for="f-fingerprint">Fingerprint</label>
    <input id="f-fingerprint" name="fingerprint" type="search" value="${query.fingerprint ?? ''}" placeholder="failure fingerprint" />
    <label for="f-q">Run id</label>
    <input id="f-q" name="q" type="search" value="${query.q ?? ''}" placeholder="search by id" />
    <button type="submit">Filter</button>
  </form>`;
}

function runsTable(ctx: DashboardContext, rows: readonly RunRow[]): HtmlValue {
  return table(
    'Runs, newest first',
    ['Run', 'Workflow', 'Status', ...ctx.runColumns.map((c) => c.title), 'Created', 'Updated', 'Error'],
    rows.map(({ run, cells }) => [
      markup`<a href="/runs/${encodeURIComponent(run.id)}">${run.id}</a>`,
      run.version === null ? run.workflow : `${run.workflow}@${run.version}`, // as `lifeline runs` shows it
      badge(statusCell(run.status)),
      ...ctx.runColumns.map((col) => (cells[col.key] ? badge(cells[col.key]!) : '')),
      time(run.createdAt),
      time(run.updatedAt),
      run.error ? markup`<span class="class">${run.error.errorClass}</span> ${run.error.message.slice(0, 120)}` : '',
    ]),
    'No runs match.',
  );
}
