import { describe, expect, expectTypeOf, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { EventMap, LifelineEvent, RunEvent } from '../../../src/store/events.js';
import type { NewEvent } from '../../../src/store/store.js';
import type { EventRecord } from '../../../src/store/types.js';
import type { RunExecution } from '../../../src/engine/run-execution.js';
import type { EngineEvent } from '../../../src/engine/lifeline.js';
import { describeEvent } from '../../../src/cli/progress.js';
import { createEventLogger, levelOf } from '../../../src/observe/event-log.js';

// Compile-time checks: `npm test` type-checks this file, so a payload that does not fit its
// event name fails the build. Not called at run time.
function typeChecks(exec: RunExecution): void {
  exec.event('step.retrying', { stepId: 'a#0', attempt: 1, errorClass: 'transient', delayMs: 10, message: 'm' });
  exec.event('run.completed');
  // @ts-expect-error errorClass must be one of the error classes
  exec.event('step.retrying', { stepId: 'a#0', attempt: 1, errorClass: 'flaky', delayMs: 10, message: 'm' });
  // @ts-expect-error delayMs is missing
  exec.event('step.retrying', { stepId: 'a#0', attempt: 1, errorClass: 'transient', message: 'm' });
  // @ts-expect-error run.created needs its workflow name
  exec.event('run.created');
  // @ts-expect-error not an event name
  exec.event('run.finished');
  // @ts-expect-error worker errors are not run events: they are never built for a run or stored
  exec.event('worker.error', { context: 'c', message: 'm' });
  // @ts-expect-error a store row cannot hold a worker error
  const stored: NewEvent = { runId: 'r', type: 'worker.error', data: { context: 'c', message: 'm' }, at: 1 };
  void stored;
}
void typeChecks;

describe('the one event map', () => {
  it('types the engine, the stores and the client with the same names and payloads', () => {
    expectTypeOf<RunEvent<'run.claimed'>['data']>().toEqualTypeOf<EventMap['run.claimed']>();
    expectTypeOf<ReturnType<RunExecution['event']>>().toEqualTypeOf<RunEvent>();
    expectTypeOf<NewEvent>().toEqualTypeOf<RunEvent>();
    expectTypeOf<EventRecord['type']>().toEqualTypeOf<RunEvent['type']>();
    expectTypeOf<EngineEvent>().toEqualTypeOf<LifelineEvent>();
    expectTypeOf<Extract<LifelineEvent, { type: 'worker.error' }>['runId']>().toEqualTypeOf<string | undefined>();
  });

  it('the progress printer reads typed payloads, worker errors included', () => {
    const retrying: LifelineEvent = {
      runId: 'r1',
      type: 'step.retrying',
      at: 1,
      data: { stepId: 'fetch#0', attempt: 2, errorClass: 'rate_limit', delayMs: 500, message: 'slow down' },
    };
    expect(describeEvent(retrying)).toBe('  ↻ fetch#0 attempt 2 failed [rate_limit] slow down — retrying in 500 ms');
    expect(describeEvent({ type: 'worker.error', data: { context: 'claim loop', message: 'boom' }, at: 1 })).toBe('  ⚠ worker error (claim loop): boom');
    expect(describeEvent({ runId: 'r1', type: 'step.failed', data: { stepId: 'approve#0', kind: 'signal' }, at: 1 })).toBe('  ✗ approve#0 (signal) failed');
    const degraded = { name: 'report', level: 'BASIC', missing: [{ section: 'outlook', reason: 'input "forecast" is missing' }] };
    expect(describeEvent({ runId: 'r1', type: 'run.degraded', data: degraded, at: 1 })).toBe('  ⚠ r1 degraded: report at level BASIC, missing outlook');
    const loop = { guard: 'writer', kind: 'repeat', detail: 'the same value 2 times in a row', level: 'human', signal: 'loop:writer' };
    expect(describeEvent({ runId: 'r1', type: 'run.loop_detected', data: loop, at: 1 })).toBe(
      '  ⚠ r1 loop in writer: repeat (the same value 2 times in a row) -> human, waiting for signal "loop:writer"',
    );
    const gate = {
      gate: 'review',
      failed: [
        { name: 'cited', pass: false, detail: 'no sources' },
        { name: 'tone', pass: false },
      ],
    };
    expect(describeEvent({ runId: 'r1', type: 'run.gate_warned', data: gate, at: 1 })).toBe('  ⚠ r1 gate review warned: cited (no sources), tone');
    expect([levelOf('run.degraded'), levelOf('run.loop_detected'), levelOf('run.gate_warned')]).toEqual(['warn', 'warn', 'warn']);
  });

  it('the JSON event log levels worker errors as errors and leaves out an absent run id', async () => {
    expect(levelOf('worker.error')).toBe('error');
    const out = new PassThrough();
    const log = await createEventLogger(out);
    const line = new Promise<string>((resolve) => out.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    log({ type: 'worker.error', data: { context: 'heartbeat', message: 'lost' }, at: 5 });
    expect(JSON.parse(await line)).toMatchObject({ level: 50, event: 'worker.error', context: 'heartbeat', message: 'lost', at: 5 });
    expect(JSON.parse(await Promise.resolve(line))).not.toHaveProperty('runId');
  });
});
