import type { Command } from 'commander';
import type { RunStatus } from '../../store/types.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { intArg } from './worker.js';
import { toRunInfo } from '../../engine/lifeline.js';
import { listRunOverviews, type RunOverview } from '../../observe/run-overview.js';
import { ACTIVITY_STATES, type ActivityState } from '../../observe/run-activity.js';

const STATUSES: RunStatus[] = ['pending', 'running', 'sleeping', 'waiting', 'parked', 'completed', 'failed', 'cancelled'];

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list runs, newest first, with what each is doing and how far it got')
    .option('-s, --status <status>', `only runs in this status (${STATUSES.join(', ')}); comma-separated for several`)
    .option('--state <state>', `only runs in this activity state (${ACTIVITY_STATES.join(', ')}); comma-separated for several`)
    .option('-w, --workflow <name>', 'only runs of this workflow')
    .option('-n, --limit <n>', 'at most this many', (v) => intArg(v, '--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; state?: string; workflow?: string; limit: number; json?: boolean }, cmd: Command) => {
      const status = opts.status?.split(',').map((s) => s.trim()) as RunStatus[] | undefined;
      const bad = status?.find((s) => !STATUSES.includes(s));
      if (bad) throw new CliError(`Unknown status "${bad}" (known: ${STATUSES.join(', ')})`, EXIT.USAGE);
      const states = opts.state?.split(',').map((s) => s.trim());
      const badState = states?.find((s) => !(ACTIVITY_STATES as readonly string[]).includes(s));
      if (badState !== undefined) throw new CliError(`Unknown state "${badState}" (known: ${ACTIVITY_STATES.join(', ')})`, EXIT.USAGE);
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      let overviews: RunOverview[];
      try {
        overviews = await listRunOverviews(lifeline, {
          ...(status ? { status } : {}),
          ...(states ? { states: states as ActivityState[] } : {}),
          ...(opts.workflow ? { workflow: opts.workflow } : {}),
          limit: opts.limit,
        });
      } finally {
        await close();
      }
      if (opts.json) {
        const rows = overviews.map((o) => ({ ...toRunInfo(o.run), activity: o.activity, progress: o.progress }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (overviews.length === 0) {
        process.stdout.write('no runs\n');
        return;
      }
      const rows = overviews.map(({ run: r, activity, progress }) => [
        r.id,
        r.version === null ? r.workflow : `${r.workflow}@${r.version}`, // pinned to a version (docs/cli.md, "runs")
        activity.state,
        new Date(r.createdAt).toISOString(),
        progress.text,
        // A compensated run says so first (issue 12 §3): "compensation done", "compensation failed"...
        (
          (r.compensation === undefined ? '' : `compensation ${r.compensation}; `) +
          (r.error && (r.status === 'failed' || r.status === 'parked')
            ? `[${r.error.errorClass}] ${r.error.message}`
            : activity.reason === activity.state
              ? ''
              : activity.reason)
        ).slice(0, 100),
      ]);
      printTable(['RUN', 'WORKFLOW', 'STATE', 'CREATED', 'PROGRESS', 'DETAIL'], rows);
    });
}

export function printTable(header: string[], rows: string[][], indent = ''): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
