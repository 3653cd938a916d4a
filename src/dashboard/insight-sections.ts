// The dashboard's insight page (src/insight/): failure patterns with their trend, health with its
// verdict and evidence, SLO burn (when the dashboard's Lifeline declares SLOs) and recovery
// metrics, each a section of the generic page (plugins.ts). Every figure is the API's own.
import type { Lifeline } from '../engine/lifeline.js';
import { computeHealth, healthThresholds } from '../insight/health.js';
import { findPatterns } from '../insight/patterns.js';
import { recoveryReport } from '../insight/recovery-report.js';
import { declaredSlos, evaluateSlos } from '../insight/slo-check.js';
import type { HealthVerdict, Trend } from '../insight/types.js';
import { insightWindow } from '../insight/window.js';
import type { Cell, InsightProvider, InsightSection, Tone } from './plugins.js';

const TREND_TONE: Record<Trend, Tone> = { new: 'bad', rising: 'bad', steady: 'warn', falling: 'ok', gone: 'muted' };
const VERDICT_TONE: Record<HealthVerdict, Tone> = { healthy: 'ok', degraded: 'warn', failing: 'bad', no_data: 'muted' };
const pct = (r: number | null) => (r === null ? '-' : `${Math.round(r * 1000) / 10} %`);
const ms = (v: number | null) => (v === null ? '-' : v < 1000 ? `${Math.round(v)} ms` : `${Math.round(v / 100) / 10} s`);

export function insightProvider(lifeline: Lifeline, since = '24h' as const): InsightProvider {
  return {
    async sections(store, now): Promise<InsightSection[]> {
      const window = insightWindow({ since }, now);
      const sections: InsightSection[] = [];
      const patterns = (await findPatterns(store, window)).slice(0, 20);
      sections.push({
        title: `Failure patterns (last ${since})`,
        columns: ['Fingerprint', 'Class', 'Count', 'Runs', 'Trend', 'Steps', 'Example'],
        rows: patterns.map((p) => [
          p.fingerprint,
          p.errorKind === null ? p.errorClass : `${p.errorClass}/${p.errorKind}`,
          p.count,
          p.runs,
          { text: p.trend, tone: TREND_TONE[p.trend] } satisfies Cell,
          p.steps.join(', '),
          p.exampleMessage.slice(0, 120),
        ]),
        note: 'Trend: failures in the last hour against the 24 hours before (docs/insight.md, "Patterns").',
      });
      const health = (await computeHealth(store, window, healthThresholds({}), now)).filter((h) => h.verdict !== 'no_data');
      const order: HealthVerdict[] = ['failing', 'degraded', 'healthy', 'no_data'];
      health.sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict));
      const worst = health[0]?.verdict ?? 'no_data';
      sections.push({
        title: 'Health',
        verdict: { text: worst, tone: VERDICT_TONE[worst] },
        columns: ['Subject', 'Name', 'Verdict', 'Success', 'First try', 'p95', 'Evidence', 'Next action'],
        rows: health
          .slice(0, 40)
          .map((h) => [
            h.subject,
            h.name,
            { text: h.verdict, tone: VERDICT_TONE[h.verdict] } satisfies Cell,
            pct(h.successRate),
            pct(h.firstTrySuccessRate),
            ms(h.p95Ms),
            h.evidence.join('; '),
            h.nextAction,
          ]),
      });
      if (declaredSlos(lifeline).length > 0) {
        const slo = await evaluateSlos(lifeline, {});
        sections.push({
          title: 'SLOs and burn rates',
          verdict: slo.paging ? { text: 'paging', tone: 'bad' } : { text: 'ok', tone: 'ok' },
          columns: ['Workflow', 'Objective', 'Target', 'Budget left', 'Burn 1h', 'Burn 6h', 'Level', 'Why'],
          rows: slo.rows.map((r) => [
            r.workflow,
            r.objective,
            pct(r.target),
            pct(r.budgetRemaining),
            String(Math.round((r.burnRates['1h'] ?? 0) * 10) / 10),
            String(Math.round((r.burnRates['6h'] ?? 0) * 10) / 10),
            { text: r.level, tone: r.level === 'paging' ? 'bad' : r.level === 'ticket' ? 'warn' : 'ok' } satisfies Cell,
            r.reason,
          ]),
        });
      }
      const recovery = await recoveryReport(lifeline, { since });
      const groups = [['all workflows', recovery.total] as const, ...Object.entries(recovery.byWorkflow)];
      sections.push({
        title: 'Recovery',
        columns: ['Workflow', 'Runs', 'First try', 'Recovered', 'Unrecoverable', 'Mean TTR', 'Median TTR'],
        rows: groups.map(([name, g]) => [
          name,
          g.runs,
          pct(g.firstTryRate),
          pct(g.recoveredRate),
          pct(g.unrecoverableRate),
          ms(g.meanRecoveryMs),
          ms(g.medianRecoveryMs),
        ]),
        note: 'TTR: time from the first failure to the run completing (docs/insight.md, "Recovery metrics").',
      });
      return sections;
    },
  };
}
