// GET /breakers: the shared circuit breakers (which are open, until when, why) and the limit keys
// (slots in use, buckets left, how often each key throttled a call). JSON: /api/breakers, /api/limits.
import type { Hono } from 'hono';
import { summarizeBreaker, type BreakerSummary } from '../../breakers/stored.js';
import type { LimitKeyStatus } from '../../store/limits.js';
import type { DashboardContext } from '../context.js';
import { duration } from '../format.js';
import { markup } from '../html.js';
import { badge, live, page, table, time } from '../layout.js';
import type { Tone } from '../plugins.js';

const BREAKER_TONES: Record<string, Tone> = { closed: 'ok', open: 'bad', half_open: 'warn' };

async function breakers(ctx: DashboardContext): Promise<BreakerSummary[]> {
  const now = ctx.lifeline.clock.now();
  return (await ctx.lifeline.store.listBreakers()).map((b) => summarizeBreaker(b, now));
}

export function registerBreakers(app: Hono, ctx: DashboardContext): void {
  app.get('/breakers', async (c) => {
    const [list, limits, after] = await Promise.all([breakers(ctx), ctx.lifeline.store.listLimits(ctx.lifeline.clock.now()), ctx.feed.latestId()]);
    const body = [
      live(
        'breakers-table',
        markup`<h2>Circuit breakers</h2>
          ${breakersTable(list)}`,
      ),
      live(
        'limits-table',
        markup`<h2>Limits</h2>
          ${limitsTable(limits)}`,
      ),
    ];
    return c.html(page({ title: 'Breakers and limits', section: 'breakers', after, body }).text);
  });
  app.get('/api/breakers', async (c) => c.json(await breakers(ctx)));
  app.get('/api/limits', async (c) => c.json(await ctx.lifeline.store.listLimits(ctx.lifeline.clock.now())));
}

function breakersTable(list: readonly BreakerSummary[]) {
  return table(
    'Shared circuit breakers by key',
    ['Key', 'State', 'Failures', 'Slow calls', 'Open until', 'Probes', 'Reason'],
    list.map((b) => [
      b.key,
      badge({ text: b.state, tone: BREAKER_TONES[b.state] ?? 'muted' }),
      `${b.failureRate} % of ${b.calls}`,
      b.slowCalls > 0 ? `${b.slowCallRate} %` : '',
      time(b.openUntil),
      b.state === 'half_open' ? b.probesHeld : '',
      b.reason,
    ]),
    'No breakers: no step has named a shared breaker yet.',
  );
}

function limitsTable(list: readonly LimitKeyStatus[]) {
  return table(
    'Concurrency, rate and retry-budget keys',
    ['Key', 'Throttled', 'Slots in use', 'Calls left', 'Tokens left', 'Interval', 'Retry budget'],
    list.map((l) => [
      l.key,
      l.throttled > 0 ? badge({ text: `${l.throttled} times`, tone: 'warn' }) : badge({ text: 'never', tone: 'ok' }),
      l.concurrency === null ? '' : `${l.inUse} of ${l.concurrency}`,
      l.calls ? `${l.calls.left} of ${l.calls.capacity}` : '',
      l.tokens ? `${l.tokens.left} of ${l.tokens.capacity}` : '',
      l.calls || l.tokens ? duration(l.intervalMs) : '',
      `${l.retryBudget.retries} retries / ${l.retryBudget.successes} successes${l.retryBudget.refused ? `, ${l.retryBudget.refused} refused` : ''}`,
    ]),
    'No limit keys: no step has named a limit yet.',
  );
}
