// Loop detection: a writer agent keeps sending the same draft back to its reviewer.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineWorkflow, durableLoopGuard, Lifeline, loopGuard } from '../../src/index.js';

// Outside a workflow: an in-memory guard.
const guard = loopGuard({ escalation: ['hint', 'fallback', 'fail'] });
for (const reply of ['Use a table.', 'Use a table.', 'Use a chart.', 'Use a table.', 'Use a chart.']) {
  const verdict = guard.check({ reply, at: new Date().toISOString() });
  console.log(verdict.kind, verdict.level ?? '-');
}

// Inside a workflow: every check is recorded; the second detection waits for a human.
const review = defineWorkflow('review-loop', async (ctx) => {
  const writer = durableLoopGuard(ctx, 'writer', { escalation: ['hint', 'human'] });
  let feedback = '';
  for (let round = 1; round <= 4; round++) {
    const draft = await ctx.step('write', () => (round < 4 ? 'Sales rose.' : `Sales rose 4% (${feedback}).`));
    const verdict = await writer.check(draft);
    if (verdict.kind === 'ok') continue;
    feedback = verdict.level === 'human' ? String(verdict.resolution) : verdict.hint;
  }
  return feedback;
});

const lifeline = await Lifeline.open({ db: join(mkdtempSync(join(tmpdir(), 'loop-')), 'loop.db'), workflows: [review] });
lifeline.worker().start();
const run = await lifeline.start(review, null);
lifeline.events.on('event', (e) => {
  if (e.type === 'run.waiting') void lifeline.signal(run.runId, 'loop:writer', 'cite the source');
});
console.log(await run.result());
await lifeline.close();
