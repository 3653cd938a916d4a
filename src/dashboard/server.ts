// `startDashboard`: the dashboard's HTTP server (Hono on @hono/node-server) over a Lifeline
// client. Bound to 127.0.0.1 unless told otherwise; any other address needs a token.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Lifeline } from '../engine/lifeline.js';
import { optionError } from '../options/option-check.js';
import { dashboardApp } from './app.js';
import { isLoopback } from './auth.js';
import { newSecret } from './csrf.js';
import { EventFeed } from './event-feed.js';
import type { InsightProvider, RunColumn } from './plugins.js';

export const DEFAULT_DASHBOARD_PORT = 7575;
export const MIN_TOKEN_LENGTH = 16;

export interface DashboardOptions {
  lifeline: Lifeline;
  /** Address to bind. Default 127.0.0.1; a non-loopback one requires `token`. */
  host?: string;
  /** Port; 0 picks a free one. Default 7575. */
  port?: number;
  /** When given, every request must carry it (cookie from `?token=`, or `Authorization: Bearer`). */
  token?: string;
  /** Extra columns of the runs table and run page (activity state, progress and ETA). */
  runColumns?: readonly RunColumn[];
  /** The insight page's sections. */
  insight?: InsightProvider;
  /** How often the server reads new events for live pages. Default 500 ms. */
  pollMs?: number;
}

export interface Dashboard {
  /** http://host:port/ (with the real port when 0 was asked for). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export function checkDashboardOptions(options: Omit<DashboardOptions, 'lifeline'>): void {
  const host = options.host ?? '127.0.0.1';
  if (host.trim() === '') throw optionError('dashboard.host', 'must not be empty');
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw optionError('dashboard.port', `must be an integer from 0 to 65535 (got ${port})`);
  if (options.token !== undefined && options.token.length < MIN_TOKEN_LENGTH) {
    throw optionError('dashboard.token', `must be at least ${MIN_TOKEN_LENGTH} characters (got ${options.token.length})`);
  }
  if (options.token === undefined && !isLoopback(host)) {
    throw optionError(
      'dashboard.token',
      `required to bind to "${host}", which is not a loopback address: give --token or LIFELINE_DASHBOARD_TOKEN (at least ${MIN_TOKEN_LENGTH} characters), or bind to 127.0.0.1`,
    );
  }
  if (options.pollMs !== undefined && (!Number.isInteger(options.pollMs) || options.pollMs < 10 || options.pollMs > 60_000)) {
    throw optionError('dashboard.pollMs', `must be an integer from 10 to 60000 (got ${options.pollMs})`);
  }
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  checkDashboardOptions(options);
  const host = options.host ?? '127.0.0.1';
  const feed = new EventFeed(options.lifeline.store, options.pollMs ?? 500);
  await feed.start();
  const app = dashboardApp(
    { lifeline: options.lifeline, feed, csrfSecret: newSecret(), runColumns: options.runColumns ?? [], insight: options.insight },
    options.token,
  );
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? DEFAULT_DASHBOARD_PORT, hostname: host }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? optionError('dashboard.port', `${options.port} is already in use on ${host}`) : error),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    close: async () => {
      feed.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
