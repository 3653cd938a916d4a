// `lifeline insight patterns`: the top failure patterns of the window (src/insight/patterns.ts).
import type { Command } from 'commander';
import { insight } from '../../insight/insight.js';
import { insightOptions, type InsightCliOptions } from './insight.js';
import { isoMinute, openInsight, windowOptions } from './insight-open.js';
import { printTable } from './runs.js';

export function registerInsightPatterns(group: Command): void {
  insightOptions(group.command('patterns').description('top failure patterns: count, runs, where, trend, an example'))
    .option('--limit <n>', 'at most this many patterns', '20')
    .action(async (opts: InsightCliOptions & { limit: string }, cmd: Command) => {
      const { source, close } = await openInsight(cmd);
      let patterns;
      try {
        patterns = await insight(source).patterns({ ...windowOptions(opts), limit: Number(opts.limit) });
      } finally {
        await close();
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(patterns, null, 2)}\n`);
        return;
      }
      if (patterns.length === 0) {
        process.stdout.write('no failures in the window\n');
        return;
      }
      const rows = patterns.map((p) => [
        p.fingerprint,
        String(p.count),
        String(p.runs),
        p.trend,
        `${p.rateLastHour} / ${p.ratePrev24h.toFixed(1)}`,
        `${p.errorClass}${p.errorName !== null ? ` ${p.errorName}` : ''}`,
        `${p.workflows.join(',')}: ${p.steps.join(',')}`,
        p.models.join(',') || '-',
        `${isoMinute(p.firstSeen)} .. ${isoMinute(p.lastSeen)}`,
        `${p.exampleMessage.slice(0, 60)} (${p.exampleRunId})`,
      ]);
      printTable(['FINGERPRINT', 'COUNT', 'RUNS', 'TREND', 'LAST 1H / PREV PER H', 'CLASS', 'WHERE', 'MODELS', 'SEEN (UTC)', 'EXAMPLE'], rows);
    });
}
