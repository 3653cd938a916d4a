// `lifeline insight slo --slo-file slos.json`: each SLO objective's error budget left, burn rates
// over the SRE-workbook windows and alert level; records the level (a transition is reported
// once) and exits EXIT.SLO_PAGING while any objective pages, so cron or CI can alert on it.
import type { Command } from 'commander';
import { evaluateSlos, type SloReportRow } from '../../insight/slo-check.js';
import { readSloFile } from '../../insight/slo-spec.js';
import { BURN_WINDOWS, type BurnWindow } from '../../insight/slo.js';
import { InvalidOptionsError } from '../../errors/options-error.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifeline, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';
import { ms, pct, rate } from './format-insight.js';

interface SloCliOptions {
  sloFile?: string;
  workflow?: string;
  json?: boolean;
}

export function registerInsightSlo(group: Command): void {
  group
    .command('slo')
    .description('SLOs: error budget left, burn rates (5m 30m 1h 6h 3d) and alert level; exits 8 while any SLO is paging')
    .requiredOption('--slo-file <file>', 'the SLOs: JSON { "slos": [{ "workflow", "success", "latency": { "within", "target" }, "period" }] }')
    .option('--workflow <name>', 'only this workflow')
    .option('--json', 'print JSON')
    .action(async (opts: SloCliOptions, cmd: Command) => {
      let slos;
      try {
        slos = readSloFile(opts.sloFile!);
      } catch (error) {
        throw error instanceof InvalidOptionsError ? new CliError(error.message, EXIT.USAGE) : error;
      }
      const lifeline = await openLifeline(cmd.optsWithGlobals<GlobalOptions>());
      let report;
      try {
        report = await evaluateSlos(lifeline, { slos, workflow: opts.workflow });
      } finally {
        await lifeline.close();
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (report.rows.length === 0)
        process.stdout.write(`no SLO${opts.workflow === undefined ? '' : ` for workflow ${opts.workflow}`} in ${opts.sloFile}\n`);
      else
        printTable(
          ['WORKFLOW', 'OBJECTIVE', 'GOOD/COUNTED', 'BUDGET LEFT', ...Object.keys(BURN_WINDOWS).map((w) => `BURN ${w}`), 'LEVEL', 'WHY'],
          report.rows.map(row),
        );
      if (report.paging) process.exitCode = EXIT.SLO_PAGING;
    });
}

function objective(r: SloReportRow): string {
  return r.objective === 'success' ? `${pct(r.target, 2)} succeed` : `${pct(r.target, 2)} within ${ms(r.withinMs)}`;
}

function row(r: SloReportRow): string[] {
  const level = r.changed && r.from !== null ? `${r.level.toUpperCase()} (was ${r.from})` : r.level.toUpperCase();
  return [
    r.workflow,
    objective(r),
    `${r.good}/${r.good + r.bad} in ${ms(r.periodMs)}`,
    pct(r.budgetRemaining),
    ...(Object.keys(BURN_WINDOWS) as BurnWindow[]).map((w) => rate(r.burnRates[w])),
    level,
    r.reason,
  ];
}
