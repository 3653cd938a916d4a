// The window left by the fenced attempt start (docs/decisions/2026-11-30-fenced-start-window.md):
// between the deadline check and the step function's first instruction. A stall there (GC,
// SIGSTOP, a descheduled process) lets a body start after its lease lapsed, so nothing in between
// may yield: no await, not even a microtask hop, since other runs' work (and with it any time at
// all) can come in between. The clock marks every monotonic reading; each reading queues a
// microtask, and a reading whose microtask has run has been separated from the code after it by
// a hop. At the body's first instruction no reading made since the store answered the start may
// have been separated so.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { AttemptFencedMessage } from '../../src/engine/fenced-start.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { systemClock, type Clock } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { tempDir } from '../helpers.js';

let readings = 0;
let hopped = 0; // readings whose microtask has run (they run in order)
let answeredAt = Infinity; // readings made before the store answered the current start
const clock: Clock = {
  ...systemClock,
  sleep: (ms, signal) => systemClock.sleep(ms, signal),
  monotonic: () => {
    const n = ++readings;
    queueMicrotask(() => (hopped = n));
    return performance.now();
  },
};
const atBody: Array<{ since: number; hopped: number; readings: number }> = [];
const body = () => atBody.push({ since: answeredAt, hopped, readings });

const wf = defineWorkflow('window.steps', async (ctx) => {
  await ctx.step('one', body);
  await ctx.step('two', body, { timeout: 60_000 });
  await ctx.step(
    'three',
    () => {
      if (body() === 3) throw new Error('once'); // its retry is fenced too
    },
    { retry: { maxAttempts: 2, initialDelayMs: 1 } },
  );
  return 'done';
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('the window between the fenced start and the step body', () => {
  it('is synchronous: no microtask and no await between the deadline check and the body', async () => {
    const tmp = tempDir('lifeline-window-');
    const store = await openStore(join(tmp.dir, 'window.db'));
    const wrapped = Object.assign(Object.create(store) as Store, {
      startAttempt: async (args: Parameters<Store['startAttempt']>[0]) => {
        await store.startAttempt(args);
        answeredAt = readings;
      },
    });
    const fenced: AttemptFencedMessage[] = [];
    const onFenced = (message: unknown) => fenced.push(message as AttemptFencedMessage);
    subscribe('lifeline:attempt-fenced', onFenced);
    const lifeline = await Lifeline.open({ db: wrapped, workflows: [wf], clock });
    cleanups.push(async () => {
      unsubscribe('lifeline:attempt-fenced', onFenced);
      await lifeline.close();
      await store.close();
      tmp.cleanup();
    });
    lifeline.worker({ pollMs: 20 }).start();
    const handle = await lifeline.start(wf, null, { runId: 'window-1' });
    expect(await handle.result()).toBe('done');
    expect(atBody).toHaveLength(4);
    for (const at of atBody) {
      // The deadline check read the clock after the answer...
      expect(at.readings).toBeGreaterThan(at.since);
      // ...and no microtask separated it (or anything after it) from the body.
      expect(at.hopped).toBeLessThanOrEqual(at.since);
    }
    // The check is published (after the body began) for instrumentation: one per body.
    expect(fenced.map((m) => [m.runId, m.stepId, m.attempt])).toEqual([
      ['window-1', 'one#0', 1],
      ['window-1', 'two#0', 1],
      ['window-1', 'three#0', 1],
      ['window-1', 'three#0', 2],
    ]);
    for (const m of fenced) expect(m.checkedAt).toBeLessThan(m.deadline);
  });
});
