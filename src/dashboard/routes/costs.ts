// GET /costs: what the cost ledger holds, by run, workflow and model, under a meter of the total
// spent and reserved (redrawn live like every table). JSON: /api/costs?by=run|workflow|model|day.
import type { Hono } from 'hono';
import { COST_GROUPINGS, formatUsd, summarizeCosts, type CostGroup, type CostGrouping } from '../../costs/summary.js';
import type { DashboardContext } from '../context.js';
import { markup } from '../html.js';
import { live, page, table } from '../layout.js';

const SHOWN: Array<[CostGrouping, string]> = [
  ['workflow', 'By workflow'],
  ['model', 'By model'],
  ['run', 'By run'],
];

export function registerCosts(app: Hono, ctx: DashboardContext): void {
  app.get('/costs', async (c) => {
    const [entries, after] = await Promise.all([ctx.lifeline.store.listCosts(), ctx.feed.latestId()]);
    const now = ctx.lifeline.clock.now();
    const { total } = summarizeCosts(entries, 'run', now);
    const meter = markup`<p class="meter" aria-label="Total cost">
      <span id="cost-total">${formatUsd(total.costMicros)}</span> spent in ${total.calls}
      calls${total.reservedMicros ? markup` · <span class="warn">${formatUsd(total.reservedMicros)} reserved</span>` : ''}
    </p>`;
    const tables = SHOWN.map(
      ([by, title]) =>
        markup`<h2>${title}</h2>
          ${groupTable(title, by, summarizeCosts(entries, by, now).groups)}`,
    );
    return c.html(page({ title: 'Costs', section: 'costs', after, body: live('costs', [meter, tables]) }).text);
  });
  app.get('/api/costs', async (c) => {
    const by = (c.req.query('by') ?? 'workflow') as CostGrouping;
    if (!COST_GROUPINGS.includes(by)) return c.json({ error: `by must be one of ${COST_GROUPINGS.join(', ')} (got "${by}")` }, 400);
    return c.json(summarizeCosts(await ctx.lifeline.store.listCosts(), by, ctx.lifeline.clock.now()));
  });
}

function groupTable(title: string, by: CostGrouping, groups: readonly CostGroup[]) {
  return table(
    `Costs ${title.toLowerCase()}`,
    [by === 'run' ? 'Run' : by === 'model' ? 'Model' : 'Workflow', 'Calls', 'Input tokens', 'Cached', 'Output tokens', 'Cost', 'Reserved'],
    groups.map((g) => [
      by === 'run' ? markup`<a href="/runs/${encodeURIComponent(g.key)}">${g.key}</a>` : g.key,
      g.calls,
      g.inputTokens,
      g.cachedInputTokens,
      g.outputTokens,
      formatUsd(g.costMicros),
      g.reservedMicros ? formatUsd(g.reservedMicros) : '',
    ]),
    'No model calls recorded yet.',
  );
}
