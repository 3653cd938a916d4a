import type { Command } from 'commander';
import type { RunStatus } from '../../store/types.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { intArg } from './worker.js';
import { deferralOf } from '../deferral.js';

const STATUSES: RunStatus[] = ['pending', 'running', 'sleeping', 'waiting', 'parked', 'completed', 'failed', 'cancelled'];

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list runs, newest first')
    .option('-s, --status <status>', `only runs in this status (${STATUSES.join(', ')}); comma-separated for several`)
    .option('-w, --workflow <name>', 'only runs of this workflow')
    .option('-n, --limit <n>', 'at most this many', (v) => intArg(v, '--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; workflow?: string; limit: number; json?: boolean }, cmd: Command) => {
      const status = opts.status?.split(',').map((s) => s.trim()) as RunStatus[] | undefined;
      const bad = status?.find((s) => !STATUSES.includes(s));
      if (bad) throw new CliError(`Unknown status "${bad}" (known: ${STATUSES.join(', ')})`, EXIT.USAGE);
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const runs = await lifeline.listRuns({ ...(status ? { status } : {}), ...(opts.workflow ? { workflow: opts.workflow } : {}), limit: opts.limit });
      // A sleeping run a step gate deferred says which gate and until when (its events are read only for those).
      const deferrals = new Map<string, string>();
      for (const r of runs) {
        const deferral = r.status === 'sleeping' ? deferralOf(r, await lifeline.store.listEvents({ runId: r.id })) : null;
        if (deferral) deferrals.set(r.id, `sleeping (${deferral.gate} until ${new Date(deferral.retryAt).toISOString()})`);
      }
      await close();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        return;
      }
      if (runs.length === 0) {
        process.stdout.write('no runs\n');
        return;
      }
      const rows = runs.map((r) => [
        r.id,
        r.workflow,
        deferrals.get(r.id) ?? r.status,
        new Date(r.createdAt).toISOString(),
        r.error ? `[${r.error.errorClass}] ${r.error.message}`.slice(0, 80) : '',
      ]);
      printTable(['RUN', 'WORKFLOW', 'STATUS', 'CREATED', 'ERROR'], rows);
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
