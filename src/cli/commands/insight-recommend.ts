// `lifeline insight recommend [--since] [--workflow] [--json]`: a recommendation per failure
// pattern, best-ranked suggestion first with its track record, and the pattern's fix status.
import type { Command } from 'commander';
import { recommendations } from '../../insight/recommend-report.js';
import type { Recommendation } from '../../insight/recommend.js';
import { insightSources } from '../../insight/sources.js';
import { insightWindow } from '../../insight/window.js';
import { insightOptions, type InsightCliOptions } from './insight.js';
import { windowOptions } from './insight-window.js';
import { openInsight } from './insight-open.js';

export function registerInsightRecommend(group: Command): void {
  insightOptions(
    group.command('recommend').description('what to do about each failure pattern, ranked by what worked before; fix status (resolved / REGRESSED)'),
  ).action(async (opts: InsightCliOptions, cmd: Command) => {
    const options = windowOptions(opts);
    const { source, close } = await openInsight(cmd);
    let recs: Recommendation[];
    try {
      const now = source.clock?.now() ?? Date.now();
      const window = insightWindow(options, now);
      const patterns = await insightSources.patterns(source.store, window);
      const health = await insightSources.health(source.store, window, now);
      const stepsWithoutTimeout = await insightSources.stepsWithoutTimeout(source.store, window);
      recs = await recommendations({ store: source.store, clock: { now: () => now } }, { ...options, patterns, health, stepsWithoutTimeout });
    } finally {
      await close();
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(recs, null, 2)}\n`);
      return;
    }
    if (recs.length === 0) {
      process.stdout.write(`no failure patterns since ${opts.since ?? '24h'} ago: nothing to recommend\n`);
      return;
    }
    process.stdout.write(recs.map(text).join('\n'));
  });
}

function text(r: Recommendation): string {
  const status =
    r.status === 'regressed' ? `REGRESSED after the fix "${r.fix!.note}"` : r.status === 'resolved' ? `resolved by "${r.fix!.note}"` : 'no fix recorded';
  const lines = [
    `${r.fingerprint}  ${r.errorClass}${r.errorKind ? `/${r.errorKind}` : ''}  ${r.count} failures, ${r.trend}  ${r.workflows.join(',')} / ${r.steps.join(',')}  (${status})`,
    `  → ${r.suggestion.title}`,
    `    why: ${r.suggestion.why}; ${r.suggestion.recordText}`,
    ...r.alternatives.map((s) => `  or ${s.title} (${s.recordText})`),
  ];
  return `${lines.join('\n')}\n`;
}
