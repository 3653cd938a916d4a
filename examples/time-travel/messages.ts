import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineWorkflow, Lifeline } from '../../src/index.js';

const reviewer = defineWorkflow('example.reviewer', async (ctx) => {
  const draft = await ctx.waitForSignal<{ text: string }>('draft'); // a message from another run
  return `reviewed: ${draft.text}`;
});

const writer = defineWorkflow('example.writer', async (ctx, reviewerRunId: string) => {
  const text = await ctx.step('write', () => 'a first draft');
  return ctx.send(reviewerRunId, 'draft', { text }); // sent once, also on replay
});

const db = join(mkdtempSync(join(tmpdir(), 'lifeline-example-')), 'example.db');
const lifeline = await Lifeline.open({ db, workflows: [reviewer, writer] });
lifeline.worker().start();
const review = await lifeline.start(reviewer, null, { runId: 'reviewer-1' });
const write = await lifeline.start(writer, 'reviewer-1', { runId: 'writer-1' });
console.log(JSON.stringify(await write.result()));
console.log(await review.result());
await lifeline.close();
