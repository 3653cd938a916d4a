// Events are published after the write they report has landed. A user's listener that throws
// must not change what happens to the run (the engine once took such an error for a store
// failure and failed the run as "refused by the database"), nor keep other listeners from it.
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ManualClock, flushAsync } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { tempDir } from '../helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

it('a listener that throws on step.completed neither fails the run nor starves the other listeners', async () => {
  const tmp = tempDir('lifeline-listener-');
  const clock = new ManualClock();
  const wf = defineWorkflow('listener.bug', async (ctx) => (await ctx.step('a', () => 1)) + 1);
  const lifeline = await Lifeline.open({ db: join(tmp.dir, 'l.db'), workflows: [wf], clock });
  cleanups.push(async () => {
    await lifeline.close();
    tmp.cleanup();
  });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  cleanups.push(async () => void process.off('warning', onWarning));
  lifeline.events.on('event', (e) => {
    if (e.type === 'step.completed') (undefined as unknown as { boom: () => void }).boom(); // a listener's TypeError
  });
  const seen: string[] = [];
  lifeline.events.on('event', (e) => seen.push(e.type));
  const once = new Promise((resolve) => lifeline.events.once('event', resolve));
  lifeline.worker().start();
  const run = await lifeline.start(wf, undefined);
  for (let i = 0; i < 50 && (await lifeline.getRun(run.runId))?.status !== 'completed'; i++) await clock.advance(10);
  expect(await lifeline.getRun(run.runId)).toMatchObject({ status: 'completed', error: null });
  expect(await run.result()).toBe(2);
  expect(seen).toEqual(expect.arrayContaining(['step.completed', 'run.completed']));
  await once; // a once-listener still fires, once
  expect(lifeline.events.listenerCount('event')).toBe(2);
  await flushAsync();
  expect(warnings.some((w) => w.startsWith('A Lifeline.events listener threw on step.completed: '))).toBe(true);
});
