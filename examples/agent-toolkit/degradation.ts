// Graceful degradation: a report built from whatever the research steps produced.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleInRun, ClassifiedError, defineWorkflow, degradation, Lifeline, settleAll } from '../../src/index.js';

const report = degradation({
  sections: {
    summary: { requires: ['sales'], build: ({ sales }) => `Sales: ${String(sales)}` },
    margins: { requires: ['sales', 'costs'], build: ({ sales, costs }) => `Margin: ${(sales as number) - (costs as number)}` },
    outlook: { requires: ['forecast'], build: ({ forecast }) => `Outlook: ${String(forecast)}` },
  },
  levels: { FULL: ['summary', 'margins', 'outlook'], STANDARD: ['summary', 'margins'], BASIC: ['summary'] },
  fallback: () => ({ text: 'No data today.' }),
});

const quarterly = defineWorkflow('quarterly-report', async (ctx) => {
  const inputs = await settleAll({
    sales: ctx.step('sales', () => 120),
    costs: ctx.step('costs', () => {
      throw new ClassifiedError('ledger export refused', { errorClass: 'validation' });
    }),
    forecast: ctx.step('forecast', () => 'steady'),
  });
  return assembleInRun(ctx, 'quarterly', report, inputs);
});

const lifeline = await Lifeline.open({ db: join(mkdtempSync(join(tmpdir(), 'report-')), 'report.db'), workflows: [quarterly] });
lifeline.worker().start();
const run = await lifeline.start(quarterly, null);
const result = await run.result();
console.log(result.level, result.built.join(','), result.missing.map((m) => `${m.section}: ${m.reason}`).join('; '));
await lifeline.close();
