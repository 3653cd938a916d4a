// The run page (GET /runs/:id) and its JSON (GET /api/runs/:id): a timeline of steps with their
// attempts (error classes, fallback alternatives), outputs redacted and truncated, each step's
// events (its log), the run's events, its costs, and the actions that change it.
import type { Hono } from 'hono';
import { formatUsd, summarizeCosts } from '../../costs/summary.js';
import { fromJson } from '../../store/serialize.js';
import { isTerminal } from '../../store/lifecycle.js';
import type { StepGenerationRecord } from '../../store/rewind.js';
import type { AttemptRecord, EventRecord, RunRecord, SignalRecord, StepRecord } from '../../store/types.js';
import type { LedgerEntry } from '../../store/ledger.js';
import { ESCALATION_ACTIONS } from '../../store/recoveries.js';
import { flashOf, type DashboardContext } from '../context.js';
import { duration, preview, statusCell } from '../format.js';
import { markup, type HtmlValue } from '../html.js';
import { badge, csrfField, live, page, table, time } from '../layout.js';
import { columnCells, type Cell } from '../plugins.js';
import { canRewind, compensationSection, generationsSection, messagesSection, rewindForm, stepMarks } from './run-history.js';

/** The most messages a run page lists (the first ones, in arrival order). */
const MESSAGES_SHOWN = 1000;

interface RunDetail {
  run: RunRecord;
  steps: StepRecord[];
  attempts: AttemptRecord[];
  events: EventRecord[];
  costs: LedgerEntry[];
  generations: StepGenerationRecord[];
  signals: SignalRecord[];
  columns: Array<{ title: string; cell: Cell }>;
}

async function loadRun(ctx: DashboardContext, runId: string): Promise<RunDetail | null> {
  const store = ctx.lifeline.store;
  const run = await store.getRun(runId);
  if (!run) return null;
  const [steps, attempts, events, costs, generations, signals] = await Promise.all([
    store.getSteps(runId),
    store.listAttempts(runId),
    store.listEvents({ runId, limit: 5000 }),
    store.listCosts({ runId }),
    store.listStepGenerations(runId),
    store.listSignals({ runId, limit: MESSAGES_SHOWN }),
  ]);
  const now = ctx.lifeline.clock.now();
  const columns: RunDetail['columns'] = [];
  for (const col of ctx.runColumns) {
    const cell = (await columnCells(col, [run], store, now)).get(run.id);
    if (cell) columns.push({ title: col.title, cell });
  }
  return { run, steps, attempts, events, costs, generations, signals, columns };
}

export function registerRunDetail(app: Hono, ctx: DashboardContext): void {
  app.get('/runs/:id', async (c) => {
    const runId = c.req.param('id');
    const [detail, after] = await Promise.all([loadRun(ctx, runId), ctx.feed.latestId()]);
    if (!detail) {
      return c.html(page({ title: 'Run not found', section: 'runs', after, body: markup`<p class="empty">No run has the id ${runId}.</p>` }).text, 404);
    }
    const now = ctx.lifeline.clock.now();
    const body = [
      live('run-summary', summary(detail)),
      live('run-actions', actions(ctx, detail.run)),
      live('run-compensation', compensationSection(ctx, detail.run, detail.steps)),
      live('run-costs', runCosts(detail.costs, now)),
      live('run-steps', timeline(ctx, detail)),
      live('run-generations', generationsSection(detail.generations)),
      live('run-messages', messagesSection(detail.signals)),
      live('run-events', eventsTable(detail.events)),
    ];
    return c.html(page({ title: `Run ${runId}`, section: 'runs', after, runId, flash: flashOf((n) => c.req.query(n)), body }).text);
  });
  app.get('/api/runs/:id', async (c) => {
    const detail = await loadRun(ctx, c.req.param('id'));
    if (!detail) return c.json({ error: `no run has the id ${c.req.param('id')}` }, 404);
    const { run, steps, events, columns, generations, signals, ...rest } = detail;
    return c.json({
      run: { ...run, input: preview(run.input), output: preview(run.output) },
      steps: steps.map((s) => ({ ...s, output: preview(s.output) })),
      events: events.map((e) => ({ ...e, data: fromJson(e.data) })),
      // Outputs and payloads as on the page: redacted and cut (format.ts preview).
      generations: generations.map((g) => ({ ...g, output: preview(g.output) })),
      messages: signals.map((s) => ({ ...s, payload: preview(s.payload) })),
      columns,
      ...rest,
    });
  });
}

function summary({ run, columns }: RunDetail): HtmlValue {
  return markup`<dl class="facts">
      <dt>Status</dt>
      <dd>${badge(statusCell(run.status))}${run.cancelRequested && !isTerminal(run.status) ? markup` <span class="badge warn">cancel requested</span>` : ''}</dd>
      ${columns.map(
        ({ title, cell }) =>
          markup`<dt>${title}</dt>
            <dd>${badge(cell)}</dd>`,
      )}
      <dt>Workflow</dt>
      <dd>${run.workflow}</dd>
      <dt>Version</dt>
      <dd>${run.version ?? markup`<span class="muted">unversioned</span>`}</dd>
      ${
        run.generation !== undefined
          ? markup`<dt>Generation</dt>
              <dd>${run.generation} (rewound ${run.generation - 1} time${run.generation === 2 ? '' : 's'})</dd>`
          : ''
      }
      <dt>Created</dt>
      <dd>${time(run.createdAt)}</dd>
      <dt>Updated</dt>
      <dd>${time(run.updatedAt)}</dd>
      ${
        run.wakeAt !== null && !isTerminal(run.status)
          ? markup`<dt>Wakes at</dt>
              <dd>${time(run.wakeAt)}</dd>`
          : ''
      }
      <dt>Claims</dt>
      <dd>${run.claimCount}${run.lease ? markup` (worker ${run.lease.workerId}, pid ${run.lease.pid} on ${run.lease.host})` : ''}</dd>
      ${
        run.parentRunId
          ? markup`<dt>Parent</dt>
              <dd><a href="/runs/${encodeURIComponent(run.parentRunId)}">${run.parentRunId}</a></dd>`
          : ''
      }
      ${
        run.error
          ? markup`<dt>Error</dt>
              <dd><span class="class">${run.error.errorClass}</span>${run.error.kind ? ` (${run.error.kind})` : ''} ${run.error.message}</dd>`
          : ''
      }
    </dl>
    <details>
      <summary>Input</summary>
      <pre class="data">${preview(run.input)}</pre>
    </details>
    ${
      run.output !== null
        ? markup`<details open>
            <summary>Output</summary>
            <pre class="data">${preview(run.output)}</pre>
          </details>`
        : ''
    }`;
}

function actions(ctx: DashboardContext, run: RunRecord): HtmlValue {
  if (isTerminal(run.status) && run.status !== 'failed')
    return markup`<p class="empty">The run is ${run.status}${canRewind(run) ? ': rewind it to one of its steps below to run again from there' : ': no action applies'}.</p>`;
  const path = `/runs/${encodeURIComponent(run.id)}`;
  const button = (action: string, label: string, help: string) =>
    markup`<form method="post" action="${path}/${action}" class="action">
      <p>${help}</p>
      ${csrfField(ctx.csrfSecret)}<button type="submit">${label}</button>
    </form>`;
  return markup`<h2>Actions</h2>
    <div class="actions">
      ${run.status === 'failed' ? button('retry', 'Retry', 'Run it again from its failed step; completed steps are replayed.') : ''}
      ${['sleeping', 'waiting', 'parked'].includes(run.status) ? button('resume', 'Resume', 'Continue now: wake it, or unpark it.') : ''}
      ${run.status === 'parked' ? resolveForm(ctx, path) : ''}
      ${!isTerminal(run.status) ? button('cancel', 'Cancel', 'Cancel the run; a running step is aborted.') : ''}
      ${
        !isTerminal(run.status)
          ? markup`<form method="post" action="${path}/signal" class="action signal">
              ${csrfField(ctx.csrfSecret)} <label for="signal-name">Signal name</label><input id="signal-name" name="name" required autocomplete="off" />
              <label for="signal-payload">Payload (JSON, optional)</label><textarea id="signal-payload" name="payload" rows="2"></textarea>
              <button type="submit">Send signal</button>
            </form>`
          : ''
      }
    </div>`;
}

/** An escalated run (parked by a recovery rule `escalate`) waits for a person: retry, skip or cancel its failed step. */
function resolveForm(ctx: DashboardContext, path: string): HtmlValue {
  return markup`<form method="post" action="${path}/resolve" class="action signal">
    <p>Escalated to a person? Resolve its failed step.</p>
    ${csrfField(ctx.csrfSecret)}<label for="resolve-action">Resolution</label>
    <select id="resolve-action" name="action">${ESCALATION_ACTIONS.map((a) => markup`<option>${a}</option>`)}</select>
    <button type="submit">Resolve</button>
  </form>`;
}

function runCosts(costs: readonly LedgerEntry[], now: number): HtmlValue {
  if (costs.length === 0) return '';
  const { groups, total } = summarizeCosts(costs, 'model', now);
  return markup`<h2>Costs</h2>
    <p class="meter">${formatUsd(total.costMicros)} spent${total.reservedMicros ? ` · ${formatUsd(total.reservedMicros)} reserved` : ''}</p>
    ${table(
      'Costs of this run by model',
      ['Model', 'Calls', 'Input tokens', 'Output tokens', 'Cost'],
      groups.map((g) => [g.key, g.calls, g.inputTokens, g.outputTokens, formatUsd(g.costMicros)]),
      '',
    )}`;
}

/** The step an event is about, when it names one. */
export function stepOfEvent(e: EventRecord): string | undefined {
  const data = fromJson<unknown>(e.data);
  return data !== null && typeof data === 'object' && 'stepId' in data && typeof data.stepId === 'string' ? data.stepId : undefined;
}

function timeline(ctx: DashboardContext, { run, steps, attempts, events }: RunDetail): HtmlValue {
  if (steps.length === 0 && attempts.length === 0)
    return markup`<h2>Steps</h2>
      <p class="empty">No step has run yet.</p>`;
  const ids = [...new Set([...steps.map((s) => s.stepId), ...attempts.map((a) => a.stepId)])];
  return markup`<h2>Steps</h2>
    <ol class="timeline">
      ${ids.map((id) => {
        const step = steps.find((s) => s.stepId === id);
        const tries = attempts.filter((a) => a.stepId === id);
        const log = events.filter((e) => stepOfEvent(e) === id);
        const status = step ? (step.error?.defaulted ? 'defaulted' : step.status) : (tries[tries.length - 1]?.outcome ?? 'running');
        // Open what went wrong: a step not completed, or one that needed more than a clean attempt.
        const eventful = step?.status !== 'completed' || step.error !== null || tries.some((a) => a.outcome !== 'succeeded');
        return markup`<li class="step"><details${eventful ? markup` open` : ''}>
<summary><span class="step-id">${id}</span> ${badge(statusCell(status))} ${step ? markup`<span class="kind">${step.kind}</span>` : ''}${stepMarks(step, id)} <span class="muted">${tries.length} attempt${tries.length === 1 ? '' : 's'}${step?.completedAt ? ` · ${duration(step.completedAt - step.startedAt)}` : ''}</span>${step?.error ? markup` <span class="class">${step.error.errorClass}</span>` : ''}</summary>
${step?.error ? markup`<p class="error"><span class="class">${step.error.errorClass}</span> ${step.error.message}</p>` : ''}
${table(
  `Attempts of ${id}`,
  ['#', 'Alternative', 'Outcome', 'Error class', 'Duration', 'Worker', 'Message'],
  tries.map((a) => [
    a.attempt,
    a.alternative ?? '',
    badge(statusCell(a.outcome)),
    a.errorClass ?? '',
    duration(a.durationMs),
    a.workerId,
    (a.movedOn ?? a.errorMessage ?? '').slice(0, 300),
  ]),
  'No attempt recorded.',
)}
${
  step?.output != null
    ? markup`<h3>Output</h3>
        <pre class="data">${preview(step.output)}</pre>`
    : ''
}
<h3>Log</h3>${table(
          `Events of ${id}`,
          ['Time', 'Event', 'Data'],
          log.map((e) => [time(e.at), e.type, preview(e.data, 300)]),
          'No events for this step.',
        )}
</details>${rewindForm(ctx, run, id)}</li>`;
      })}
    </ol>`;
}

function eventsTable(events: readonly EventRecord[]): HtmlValue {
  return markup`<h2>Events</h2>
    ${table(
      'Events of the run, oldest first',
      ['#', 'Time', 'Event', 'Step', 'Data'],
      events.map((e) => [e.id, time(e.at), e.type, stepOfEvent(e) ?? '', preview(e.data, 300)]),
      'No events.',
    )}`;
}
