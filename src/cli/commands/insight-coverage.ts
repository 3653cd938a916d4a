// `lifeline insight coverage`: which steps ran without a timeout or a retry policy, which side
// effects ran without reading their idempotency key, which workflows have no SLO, and the score
// with each of its parts (covered / total).
import type { Command } from 'commander';
import { coverage, type CoverageReport, type UncoveredStep } from '../../insight/coverage.js';
import { insightWindow } from '../../insight/window.js';
import { readSloFile } from '../../insight/slo-spec.js';
import { InvalidOptionsError } from '../../errors/options-error.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { insightOptions, type InsightCliOptions } from './insight.js';
import { printTable } from './runs.js';

export function registerInsightCoverage(group: Command): void {
  insightOptions(
    group
      .command('coverage')
      .description('steps without timeouts or retries, side effects without idempotency keys, workflows without SLOs; the score and its parts'),
  )
    .option('--slo-file <file>', 'the SLO file `lifeline insight slo` reads: its workflows count as having an SLO')
    .option('--slo <workflow...>', 'workflows that have an SLO (besides those of --slo-file)')
    .action(async (opts: InsightCliOptions & { slo?: string[]; sloFile?: string }, cmd: Command) => {
      let fromFile: string[] = [];
      try {
        fromFile = opts.sloFile === undefined ? [] : readSloFile(opts.sloFile).map((slo) => slo.workflow);
      } catch (error) {
        throw error instanceof InvalidOptionsError ? new CliError(error.message, EXIT.USAGE) : error;
      }
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const window = insightWindow(
          { ...(opts.since === undefined ? {} : { since: opts.since as never }), ...(opts.workflow === undefined ? {} : { workflow: opts.workflow }) },
          lifeline.clock.now(),
        );
        const report = await coverage(lifeline, window, {
          workflowsWithSlo: [...new Set([...fromFile, ...(opts.slo ?? [])])],
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else printCoverage(report);
      } finally {
        await close();
      }
    });
}

/** The report for people: the score, its parts, then what is missing where. */
export function printCoverage(report: CoverageReport): void {
  const write = (line = '') => process.stdout.write(`${line}\n`);
  if (report.steps === 0) {
    write('no steps with coverage records in the window');
    return;
  }
  write(`coverage score: ${report.score === null ? '-' : `${report.score} / 100`} (the mean of the parts below)`);
  for (const p of report.parts) {
    const pct = p.ratio === null ? '   -' : `${String(Math.round(p.ratio * 100)).padStart(3)} %`;
    write(`  ${p.name.padEnd(12)} ${pct}  ${p.covered} of ${p.total} ${p.description}`);
  }
  const section = (title: string, list: UncoveredStep[], what: string) => {
    if (list.length === 0) return;
    write();
    write(title);
    printTable(
      ['WORKFLOW', 'STEP', what],
      list.map((s) => [s.workflow, s.step, `${s.without} of ${s.runs}`]),
      '  ',
    );
  };
  section('steps without a timeout:', report.withoutTimeout, 'RUNS WITHOUT');
  section('steps without a retry policy:', report.withoutRetries, 'RUNS WITHOUT');
  section('side effects that did not read info.idempotencyKey:', report.sideEffectsWithoutKey, 'RUNS WITHOUT KEY');
  if (report.workflowsWithoutSlo.length > 0) {
    write();
    write(`workflows without an SLO: ${report.workflowsWithoutSlo.join(', ')}`);
  }
}
