import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { durableLoopGuard } from '../../src/agent/durable-loop-guard.js';
import { fromJson } from '../../src/store/serialize.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';

const engines: TestEngine[] = [];
const tmp = tempDir();
afterEach(async () => {
  for (const e of engines.splice(0)) await e.lifeline.close();
});

// What the "writer agent" produces, in order, across both executions (one process stands in
// for two: the workflow keeps no state of its own outside the run).
const drafts = ['same draft', 'same draft', 'same draft', 'new draft', 'new draft'];
let written = 0;

const critic = defineWorkflow('agent.critic-loop', async (ctx) => {
  const guard = durableLoopGuard(ctx, 'writer', { escalation: ['hint', 'human', 'fail'] });
  const seen: string[] = [];
  for (let round = 0; round < drafts.length; round++) {
    const draft = await ctx.step('write', () => drafts[written++]!);
    const verdict = await guard.check({ draft, at: await ctx.now() });
    seen.push(
      `${verdict.kind}/${verdict.level ?? '-'}/${verdict.detections}${verdict.kind !== 'ok' && verdict.resolution ? `/${JSON.stringify(verdict.resolution)}` : ''}`,
    );
    await ctx.step('log', () => seen.join(' '));
  }
  return seen;
});

describe('durableLoopGuard', () => {
  it('escalates to a human (the run waits for the signal, reason recorded); a new worker on the same file resumes with the same guard history', async () => {
    const db = join(tmp.dir, 'loop.db');
    written = 0;
    const a = await startEngine({ db, workflows: [critic], clock: new ManualClock() });
    engines.push(a);
    const handle = await a.lifeline.start(critic, null);
    await waitForEvent(a, (e) => e.type === 'run.waiting');
    const waiting = await a.lifeline.store.getRun(handle.runId);
    expect(waiting?.status).toBe('waiting');
    const events = await a.lifeline.store.listEvents({ runId: handle.runId });
    const detected = events.filter((e) => e.type === 'run.loop_detected').map((e) => fromJson(e.data));
    expect(detected).toEqual([
      { guard: 'writer', kind: 'repeat', detail: 'the same value 2 times in a row', level: 'hint' },
      { guard: 'writer', kind: 'repeat', detail: 'the same value 2 times in a row', level: 'human', signal: 'loop:writer' },
    ]);
    await a.lifeline.close();
    engines.splice(0);
    expect(written).toBe(3);

    // Another worker (another Lifeline, another clock) takes the run over from the file.
    const b = await startEngine({ db, workflows: [critic], clock: new ManualClock() });
    engines.push(b);
    await b.lifeline.signal(handle.runId, 'loop:writer', { decision: 'go on' });
    await expect(b.lifeline.result(handle.runId)).rejects.toThrow(
      'Loop guard "writer" detected a loop (repeat: the same value 2 times in a row); detection 3 escalates to fail.',
    );
    const failed = await b.lifeline.store.getRun(handle.runId);
    expect(failed?.error).toMatchObject({ errorClass: 'logic' });
    // The completed checks were replayed, not run again: the resumed guard had all three in its history.
    expect(written).toBe(5);
    const steps = await b.lifeline.store.getSteps(handle.runId);
    const logs = steps.filter((s) => s.name === 'log').map((s) => fromJson<string>(s.output));
    expect(logs.at(-1)).toBe('ok/-/0 repeat/hint/1 repeat/human/2/{"decision":"go on"} ok/-/2');
    expect(steps.filter((s) => s.name === 'loop:writer')).toHaveLength(5);
    const all = await b.lifeline.store.listEvents({ runId: handle.runId });
    // Written once each, not again by the replay.
    expect(all.filter((e) => e.type === 'run.loop_detected').map((e) => fromJson<{ level: string }>(e.data).level)).toEqual(['hint', 'human', 'fail']);
  });

  it('rejects a bad guard name before any check is recorded', async () => {
    const bad = defineWorkflow('agent.bad-guard', (ctx) => durableLoopGuard(ctx, '', {}).check('x'));
    const e = await startEngine({ workflows: [bad], db: join(tmp.dir, 'bad.db') });
    engines.push(e);
    const h = await e.lifeline.start(bad, null);
    await expect(h.result()).rejects.toThrow(
      new InvalidOptionsError('Invalid option durableLoopGuard.name: must be a non-empty string of at most 200 characters without NUL (got "")').message,
    );
    expect(await e.lifeline.store.getSteps(h.runId)).toEqual([]);
  });
});
