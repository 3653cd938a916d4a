// `lifeline insight recovery [--since] [--workflow] [--json]`: first-try / recovered /
// unrecoverable shares, times to recover and reasons, per workflow and per strategy, and the
// incident journal (runs that failed and recovered, or did not).
import type { Command } from 'commander';
import { recoveryReport } from '../../insight/recovery-report.js';
import { FAILURE_REASONS, type Incident, type RecoveryGroup } from '../../insight/recovery.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { insightOptions, type InsightCliOptions } from './insight.js';
import { printTable } from './runs.js';
import { ms, pct } from './format-insight.js';
import { windowOptions } from './insight-window.js';

export function registerInsightRecovery(group: Command): void {
  insightOptions(
    group.command('recovery').description('recovery metrics: first try, recovered, unrecoverable, time to recover, reasons; the incident journal'),
  ).action(async (opts: InsightCliOptions, cmd: Command) => {
    const options = windowOptions(opts);
    const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
    let report;
    try {
      report = await recoveryReport(lifeline, options);
    } finally {
      await close();
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const groups = (label: string, entries: Array<[string, RecoveryGroup]>) =>
      entries.map(([name, g]) => [
        label === '' ? name : `${label} ${name}`,
        g.runs === 0 ? '-' : String(g.runs),
        pct(g.firstTryRate),
        g.runs === 0 ? String(g.recovered) : pct(g.recoveredRate),
        g.runs === 0 ? String(g.unrecoverable) : pct(g.unrecoverableRate),
        ms(g.meanRecoveryMs),
        ms(g.medianRecoveryMs),
        FAILURE_REASONS.filter((r) => g.reasons[r] > 0)
          .map((r) => `${r} ${g.reasons[r]}`)
          .join(', ') || '-',
      ]);
    printTable(
      ['', 'RUNS', 'FIRST TRY', 'RECOVERED', 'UNRECOVERABLE', 'MEAN TTR', 'MEDIAN TTR', 'REASONS'],
      [
        ...groups('', [['all', report.total]]),
        ...groups('workflow', Object.entries(report.byWorkflow)),
        ...groups('strategy', Object.entries(report.byStrategy) as Array<[string, RecoveryGroup]>),
      ],
    );
    if (report.cancelled > 0) process.stdout.write(`${report.cancelled} cancelled run(s) counted in no share\n`);
    process.stdout.write('\nincident journal\n');
    if (report.journal.length === 0) process.stdout.write('no incidents in the window\n');
    else printTable(['FIRST FAILURE', 'RUN', 'WORKFLOW', 'STEP', 'ERROR', 'REASON', 'STRATEGY', 'OUTCOME', 'RECOVERED IN'], report.journal.map(journalRow));
  });
}

function journalRow(i: Incident): string[] {
  const error = `${i.errorClass ?? '-'}${i.exitCode === null ? '' : ` exit ${i.exitCode}`}${i.signal === null ? '' : ` ${i.signal}`}: ${i.error}`;
  return [
    new Date(i.firstFailureAt).toISOString(),
    i.runId,
    i.workflow,
    i.stepId ?? '-',
    error.length > 60 ? `${error.slice(0, 57)}...` : error,
    i.reason,
    i.strategy,
    i.outcome,
    ms(i.recoveryMs),
  ];
}
