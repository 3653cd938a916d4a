import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineWorkflow, Lifeline } from '../../src/index.js';

let rate = 10; // the bug: the price step used the wrong rate

const report = defineWorkflow('example.report', async (ctx) => {
  const units = await ctx.step('fetch', () => (console.log('fetch runs'), [3, 4]));
  const total = await ctx.step('price', () => (console.log('price runs'), (units[0]! + units[1]!) * rate));
  return ctx.step('publish', () => `total: ${total}`);
});

const db = join(mkdtempSync(join(tmpdir(), 'lifeline-example-')), 'example.db');
const lifeline = await Lifeline.open({ db, workflows: [report] });
lifeline.worker().start();
const run = await lifeline.start(report, null, { runId: 'report-1' });
console.log(await run.result());

rate = 100; // fixed; the run completed with the wrong total: rewind it to the price step
const rewound = await lifeline.rewind('report-1', { to: 'price', by: 'ana' });
console.log(`rewound to ${rewound.toStepId}: ${rewound.setAside} results kept as generation ${rewound.generation - 1}`);
console.log(await lifeline.result('report-1'));
for (const s of await lifeline.listStepGenerations('report-1')) console.log(`generation ${s.generation}: ${s.stepId} = ${s.output}`);
await lifeline.close();
