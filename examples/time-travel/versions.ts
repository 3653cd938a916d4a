import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineWorkflow, Lifeline, runOverview } from '../../src/index.js';

// Version 1 was deployed first; version 2 adds a fraud check before the approval.
const v1 = defineWorkflow(
  'example.checkout',
  async (ctx, total: number) => {
    await ctx.waitForSignal('approved');
    return ctx.step('charge', () => `v1 charged ${total}`);
  },
  { version: 1 },
);

let fixDeployed = false; // stands for a deploy of version 2 with the small fix below
const v2 = defineWorkflow(
  'example.checkout',
  async (ctx, total: number) => {
    await ctx.step('fraud-check', () => 'ok');
    // A small fix made in place: runs that passed this point under the old code keep its path.
    const amount = fixDeployed && (await ctx.patched('round-total')) ? Math.round(total) : total;
    await ctx.waitForSignal('approved');
    return ctx.step('charge', () => `v2 charged ${amount}`);
  },
  { version: 2 },
);

const db = join(mkdtempSync(join(tmpdir(), 'lifeline-example-')), 'example.db');
const before = await Lifeline.open({ db, workflows: [v1] });
await before.start(v1, 100.4, { runId: 'order-1' }); // started before the deploy: pinned to version 1
await before.close();

const lifeline = await Lifeline.open({ db, workflows: [v2] }); // the deploy: only version 2 loaded
lifeline.worker().start();
const waiting = (runId: string) =>
  new Promise<void>((resolve) => lifeline.events.on('event', (e) => e.type === 'run.waiting' && e.runId === runId && resolve()));
const order2Waits = waiting('order-2');
await lifeline.start('example.checkout', 100.4, { runId: 'order-2' }); // by name: the highest version loaded
await order2Waits;
console.log((await runOverview(lifeline, 'order-1'))?.activity.reason);

fixDeployed = true;
const order3Waits = waiting('order-3');
await lifeline.start('example.checkout', 100.4, { runId: 'order-3' });
await order3Waits;

const old = await Lifeline.open({ db, workflows: [v1] }); // a worker with version 1 next to version 2
old.worker().start();
for (const runId of ['order-1', 'order-2', 'order-3']) {
  await lifeline.signal(runId, 'approved');
  console.log(`${runId}: ${await lifeline.result(runId)}`);
}
await old.close();
await lifeline.close();
