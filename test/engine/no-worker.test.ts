// result() with no worker anywhere must not hang silently.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock, flushAsync } from '../../src/time/clock.js';
import { Lifeline, NO_WORKER_WARNING_MS, type EngineEvent } from '../../src/engine/lifeline.js';
import { tempDir } from '../helpers.js';

const wf = defineWorkflow('noworker.hello', (ctx) => ctx.step('hi', () => 'hi'));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('result() with no worker', () => {
  it('fails at once on a private (":memory:") database when this client has no started worker', async () => {
    const lifeline = await Lifeline.open({ db: ':memory:', workflows: [wf] });
    cleanups.push(() => lifeline.close());
    const run = await lifeline.start(wf, undefined, { runId: 'm1' });
    await expect(run.result()).rejects.toThrow(
      'Run m1 cannot make progress: the database ":memory:" is private to this client and the client has no started worker. ' +
        'Call lifeline.worker().start() before awaiting the result, or use a database file that a worker process (lifeline worker FILE) also opens.',
    );
    lifeline.worker().start();
    expect(await run.result()).toBe('hi');
  });

  it('warns once when a run waits unclaimed with no worker in this client, then resolves when a worker starts', async () => {
    const clock = new ManualClock();
    const tmp = tempDir();
    cleanups.push(() => tmp.cleanup());
    const lifeline = await Lifeline.open({ db: join(tmp.dir, 'w.db'), workflows: [wf], clock });
    cleanups.push(() => lifeline.close());
    const events: EngineEvent[] = [];
    lifeline.events.on('event', (e) => events.push(e));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    cleanups.push(() => void process.off('warning', onWarning));
    const run = await lifeline.start(wf, undefined, { runId: 'w1' });
    const result = run.result();
    await clock.advance(NO_WORKER_WARNING_MS - 250);
    await flushAsync();
    expect(events.filter((e) => e.type === 'run.unclaimed')).toEqual([]);
    await clock.advance(NO_WORKER_WARNING_MS);
    await flushAsync();
    const message =
      'Run w1 has waited 10 s and no worker has claimed it; this client has no started worker. Start one (lifeline.worker().start(), or `lifeline worker FILE` on the same database).';
    expect(events.filter((e) => e.type === 'run.unclaimed').map((e) => (e.data as { message: string }).message)).toEqual([message]);
    await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
    expect(warnings.filter((w) => (w as Error & { code?: string }).code === 'LIFELINE_NO_WORKER').map((w) => w.message)).toEqual([message]);
    lifeline.worker({ pollMs: 10 }).start();
    expect(await result).toBe('hi');
  });
});
