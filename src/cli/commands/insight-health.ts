// `lifeline insight health`: the health of every workflow, step, worker and model of the window,
// with the verdict's evidence and next action under the table for each one not healthy.
import type { Command } from 'commander';
import { insight } from '../../insight/insight.js';
import type { HealthRow } from '../../insight/types.js';
import { parseJsonArg } from '../open.js';
import { insightOptions, type InsightCliOptions } from './insight.js';
import { openInsight, windowOptions } from './insight-open.js';
import { printTable } from './runs.js';

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
const ms = (x: number | null) => (x === null ? '-' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const dollars = (micros: number) => `$${(micros / 1e6).toFixed(2)}`;

export function registerInsightHealth(group: Command): void {
  insightOptions(group.command('health').description('success rates, retries, durations and verdicts per workflow, step, worker and model'))
    .option('--thresholds <json>', 'thresholds, e.g. {"degradedFailureRate":0.05} (JSON)')
    .option('--subject-thresholds <json>', 'per kind of subject, e.g. {"model":{"degradedFailureRate":0.02}} (JSON)')
    .action(async (opts: InsightCliOptions & { thresholds?: string; subjectThresholds?: string }, cmd: Command) => {
      const thresholds = parseJsonArg(opts.thresholds, '--thresholds') as Record<string, number> | undefined;
      const subjects = parseJsonArg(opts.subjectThresholds, '--subject-thresholds') as Record<string, Record<string, number>> | undefined;
      const { source, close } = await openInsight(cmd);
      let rows: HealthRow[];
      try {
        rows = await insight(source).health({
          ...windowOptions(opts),
          ...(thresholds !== undefined ? { thresholds } : {}),
          ...(subjects !== undefined ? { subjects } : {}),
        });
      } finally {
        await close();
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no attempts in the window\n');
        return;
      }
      printTable(
        ['SUBJECT', 'NAME', 'VERDICT', 'ATTEMPTS', 'SUCCESS', 'FIRST TRY', 'RETRIES/OK', 'P50', 'P95', 'P99', 'FAILED COST'],
        rows.map((r) => [
          r.subject,
          r.name,
          r.verdict,
          String(r.attempts),
          pct(r.successRate),
          pct(r.firstTrySuccessRate),
          r.retriesPerSuccess.toFixed(2),
          ms(r.p50Ms),
          ms(r.p95Ms),
          ms(r.p99Ms),
          dollars(r.failedCostMicros),
        ]),
      );
      const flagged = rows.filter((r) => r.verdict === 'failing' || r.verdict === 'degraded');
      for (const r of flagged) {
        process.stdout.write(`\n${r.verdict.toUpperCase()} ${r.subject} ${r.name}\n${r.evidence.map((e) => `  - ${e}\n`).join('')}  next: ${r.nextAction}\n`);
      }
    });
}
