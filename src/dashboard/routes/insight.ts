// GET /insight: the sections an InsightProvider gives (patterns, health, SLO burn, recovery
// metrics), each a title, a verdict badge and a table. JSON: /api/insight.
import type { Hono } from 'hono';
import type { DashboardContext } from '../context.js';
import { markup } from '../html.js';
import { badge, live, page, table } from '../layout.js';
import { cellOf, insightSections, type InsightSection } from '../plugins.js';

export function registerInsight(app: Hono, ctx: DashboardContext): void {
  app.get('/insight', async (c) => {
    const after = await ctx.feed.latestId();
    const sections = ctx.insight ? await insightSections(ctx.insight, ctx.lifeline.store, ctx.lifeline.clock.now()) : null;
    const body =
      sections === null
        ? markup`<p class="empty">No insight provider is configured for this dashboard.</p>`
        : live('insight', sections.length ? sections.map(section) : markup`<p class="empty">No insight yet.</p>`);
    return c.html(page({ title: 'Insight', section: 'insight', after, body }).text);
  });
  app.get('/api/insight', async (c) => c.json(ctx.insight ? await insightSections(ctx.insight, ctx.lifeline.store, ctx.lifeline.clock.now()) : []));
}

function section(s: InsightSection) {
  return markup`<section class="insight">
    <h2>${s.title} ${s.verdict ? badge(s.verdict) : ''}</h2>
    ${table(
      s.title,
      s.columns,
      s.rows.map((r) =>
        r.map((v) => {
          const cell = cellOf(v);
          return cell.tone ? badge(cell) : cell.text;
        }),
      ),
      'Nothing to show.',
    )}
    ${s.note ? markup`<p class="note">${s.note}</p>` : ''}
  </section>`;
}
