// POST /runs/:id/{retry,cancel,resume,resolve,signal,rewind,rollback}: the run page's forms (behind
// the CSRF check), through the same Lifeline API as `lifeline retry|cancel|resume|signal|rewind|rollback`. Each answers with a
// redirect back to the run page carrying what happened (or why not).
import type { Context, Hono } from 'hono';
import { LifelineError } from '../../errors/lifeline-error.js';
import type { Lifeline } from '../../engine/lifeline.js';
import { ESCALATION_ACTIONS } from '../../store/recoveries.js';
import { query } from '../html.js';
import type { DashboardContext } from '../context.js';

type Action = (lifeline: Lifeline, runId: string, form: Record<string, string>) => Promise<string>;

const ACTIONS: Record<string, Action> = {
  retry: async (lifeline, runId) => {
    await lifeline.retry(runId);
    return 'Retried from its failed step: the run is pending until a worker picks it up.';
  },
  resume: async (lifeline, runId) => {
    const run = await lifeline.resume(runId);
    return `Resumed: the run is ${run.status}.`;
  },
  cancel: async (lifeline, runId) => {
    const run = await lifeline.cancel(runId);
    return run.status === 'cancelled' ? 'Cancelled.' : `Cancel requested: the run stops at its worker's next heartbeat (it is ${run.status}).`;
  },
  resolve: async (lifeline, runId, form) => {
    const action = ESCALATION_ACTIONS.find((a) => a === form.action);
    if (!action) throw new FormError(`The resolution must be one of ${ESCALATION_ACTIONS.join(', ')} (got "${form.action ?? ''}").`);
    const run = await lifeline.resolve(runId, action);
    return `Resolved with ${action}: the run is ${run.status}.`;
  },
  signal: async (lifeline, runId, form) => {
    const name = (form.name ?? '').trim();
    if (name === '') throw new FormError('The signal needs a name.');
    const text = (form.payload ?? '').trim();
    let payload: unknown;
    try {
      payload = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch (error) {
      throw new FormError(`The signal payload is not valid JSON: ${(error as Error).message}`);
    }
    await lifeline.signal(runId, name, payload);
    return `Signal "${name}" sent.`;
  },
  rewind: async (lifeline, runId, form) => {
    const to = (form.to ?? '').trim();
    if (to === '') throw new FormError('Rewind needs the step to continue from (a step id such as "fetch#0").');
    const r = await lifeline.rewind(runId, { to, by: 'dashboard' });
    return `Rewound to ${r.toStepId}: generation ${r.generation}, ${r.setAside} step result${r.setAside === 1 ? '' : 's'} set aside; the run is pending until a worker picks it up.`;
  },
  rollback: async (lifeline, runId) => {
    const run = await lifeline.rollback(runId);
    return `Rollback requested: the run is ${run.status} until its compensations have run.`;
  },
};

class FormError extends Error {}

export function registerActions(app: Hono, ctx: DashboardContext): void {
  app.post('/runs/:id/:action', async (c) => {
    const runId = c.req.param('id');
    const act = ACTIONS[c.req.param('action')];
    if (!act) return c.text(`404 Not Found: no action "${c.req.param('action')}" (known: ${Object.keys(ACTIONS).join(', ')})`, 404);
    const form = await fields(c);
    try {
      const done = await act(ctx.lifeline, runId, form);
      return c.redirect(`/runs/${encodeURIComponent(runId)}${query({ done })}`, 303);
    } catch (error) {
      if (!(error instanceof LifelineError) && !(error instanceof FormError)) throw error;
      return c.redirect(`/runs/${encodeURIComponent(runId)}${query({ failed: error.message })}`, 303);
    }
  });
}

async function fields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}
