// The dashboard's Hono application: security headers, who may ask (auth.ts), CSRF on every POST
// (csrf.ts), the pages (routes/), their JSON under /api/, the live stream and the two local assets.
import { Hono } from 'hono';
import { redactSecrets } from '../errors/redact.js';
import { LIVE_JS } from './assets/live.js';
import { STYLE_CSS } from './assets/style.js';
import { authenticate } from './auth.js';
import type { DashboardContext } from './context.js';
import { csrf } from './csrf.js';
import { registerActions } from './routes/actions.js';
import { registerBreakers } from './routes/breakers.js';
import { registerCosts } from './routes/costs.js';
import { registerInsight } from './routes/insight.js';
import { registerRunDetail } from './routes/run-detail.js';
import { registerRuns } from './routes/runs.js';
import { registerWorkers } from './routes/workers.js';
import { eventStream } from './sse.js';

/** Only this origin's own files and requests: no inline script runs even if markup slipped through. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function dashboardApp(ctx: DashboardContext, token: string | undefined): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
  });
  app.use(authenticate(token));
  app.use(csrf(ctx.csrfSecret));
  app.get('/assets/style.css', (c) => c.body(STYLE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/assets/live.js', (c) => c.body(LIVE_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/api/stream', (c) => eventStream(c, ctx.feed));
  registerRuns(app, ctx);
  registerRunDetail(app, ctx);
  registerWorkers(app, ctx);
  registerActions(app, ctx);
  registerBreakers(app, ctx);
  registerCosts(app, ctx);
  registerInsight(app, ctx);
  app.notFound((c) => c.text(`404 Not Found: ${c.req.path}`, 404));
  app.onError((error, c) => c.text(`500 Internal Server Error: ${redactSecrets(error.message)}`, 500));
  return app;
}
