import type { Command } from 'commander';
import { COST_GROUPINGS, formatUsd, summarizeCosts, type CostGrouping } from '../../costs/summary.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';

const AGO = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: an ISO date or time (UTC unless it says otherwise), or a span back from now: 30m, 24h, 7d. */
export function parseSince(text: string, now: number): number {
  const ago = AGO.exec(text.trim());
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS];
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at))
    throw new CliError(`Invalid --since "${text}": use a date (2026-11-30), a time (2026-11-30T08:00Z) or a span back from now (30m, 24h, 7d)`, EXIT.USAGE);
  return at;
}

export function registerCosts(program: Command): void {
  program
    .command('costs')
    .description('model call costs from the cost ledger, by run, workflow, model or day')
    .option('--by <grouping>', `group by ${COST_GROUPINGS.join(', ')}`, 'run')
    .option('-r, --run <id>', 'only this run')
    .option('-w, --workflow <name>', 'only runs of this workflow')
    .option('--since <when>', 'only calls since then: a date, a time or a span back from now (24h, 7d)')
    .option('--json', 'print JSON')
    .action(async (opts: { by: string; run?: string; workflow?: string; since?: string; json?: boolean }, cmd: Command) => {
      if (!(COST_GROUPINGS as readonly string[]).includes(opts.by)) {
        throw new CliError(`Unknown --by "${opts.by}" (known: ${COST_GROUPINGS.join(', ')})`, EXIT.USAGE);
      }
      const by = opts.by as CostGrouping;
      const now = Date.now();
      const since = opts.since === undefined ? undefined : parseSince(opts.since, now);
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const entries = await lifeline.listCosts({
        ...(opts.run !== undefined ? { runId: opts.run } : {}),
        ...(opts.workflow !== undefined ? { workflow: opts.workflow } : {}),
        ...(since !== undefined ? { since } : {}),
        limit: Number.MAX_SAFE_INTEGER,
      });
      await close();
      const { groups, total } = summarizeCosts(entries, by, now);
      if (opts.json) {
        const usd = <T extends { costMicros: number; reservedMicros: number }>(g: T) => ({
          ...g,
          costUsd: g.costMicros / 1_000_000,
          reservedUsd: g.reservedMicros / 1_000_000,
        });
        const body = { by, since: since === undefined ? null : new Date(since).toISOString(), groups: groups.map(usd), total: usd(total) };
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        return;
      }
      if (groups.length === 0) {
        process.stdout.write('no costs recorded\n');
        return;
      }
      const row = (g: typeof total) => [
        g.key,
        String(g.calls),
        String(g.inputTokens),
        String(g.cachedInputTokens),
        String(g.outputTokens),
        formatUsd(g.costMicros),
        g.reservedMicros > 0 ? formatUsd(g.reservedMicros) : '',
      ];
      printTable([by.toUpperCase(), 'CALLS', 'INPUT', 'CACHED', 'OUTPUT', 'COST', 'RESERVED'], [...groups.map(row), row(total)]);
    });
}
