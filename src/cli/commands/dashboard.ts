// `lifeline dashboard`: the web dashboard (src/dashboard/) over the database, until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { checkDashboardOptions, DEFAULT_DASHBOARD_PORT, startDashboard } from '../../dashboard/server.js';
import { overviewColumns } from '../../dashboard/run-columns.js';
import { insightProvider } from '../../dashboard/insight-sections.js';
import { dbLocation, openLifeline, type GlobalOptions } from '../open.js';
import { redactedLocation } from '../../store/open-store.js';
import { exitCodeForSignal } from '../exit-codes.js';
import { intArg } from './worker.js';

interface DashboardFlags {
  port: number;
  host: string;
  token?: string;
  pollMs?: number;
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('serve the web dashboard (runs, steps, actions, breakers, limits, costs; live) until SIGINT/SIGTERM')
    .option('-p, --port <n>', `port (0 picks a free one)`, (v) => intArg(v, '--port'), DEFAULT_DASHBOARD_PORT)
    .option('--host <address>', 'address to bind; anything but a loopback address requires --token', '127.0.0.1')
    .option('--token <token>', 'every request must carry it (env LIFELINE_DASHBOARD_TOKEN); open the page once with ?token=...')
    .option('--poll-ms <ms>', 'how often new events are read for live pages (default 500)', (v) => intArg(v, '--poll-ms'))
    .action(async (opts: DashboardFlags, cmd: Command) => {
      const token = opts.token ?? (process.env.LIFELINE_DASHBOARD_TOKEN || undefined);
      const options = {
        host: opts.host,
        port: opts.port,
        ...(token !== undefined ? { token } : {}),
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
      };
      checkDashboardOptions(options); // before the database is opened: a refused bind changes nothing
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const lifeline = await openLifeline(global);
      let dashboard;
      try {
        dashboard = await startDashboard({ lifeline, ...options, runColumns: overviewColumns(), insight: insightProvider(lifeline) });
      } catch (error) {
        await lifeline.close();
        throw error;
      }
      process.stdout.write(
        `dashboard on ${dashboard.url} for ${redactedLocation(dbLocation(global))}${token !== undefined ? ' (open it once with ?token=<your token>)' : ''}\n`,
      );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      await dashboard.close();
      await lifeline.close();
      process.exitCode = exitCodeForSignal(signal);
    });
}
