import { afterEach, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import type { PreviousFailure } from '../../src/workflow/context.js';
import { startEngine, type TestEngine } from '../helpers.js';

// StepInfo.previousFailures: each attempt sees the step's earlier failures, classified and redacted as recorded.
let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

it('hands each attempt the failures before it, oldest first, with their class and redacted message', async () => {
  const seen: Array<readonly PreviousFailure[] | undefined> = [];
  const wf = defineWorkflow('previous.failures', async (ctx) =>
    ctx.step(
      'flaky',
      (info) => {
        seen.push(info.previousFailures);
        if (info.attempt === 1) throw Object.assign(new Error('HTTP 503 with key sk-proj-abcdefghijklmnopqrstuvwxyz123456'), { status: 503 });
        if (info.attempt === 2) throw new Error('boom');
        return info.previousFailures?.length;
      },
      { retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 } },
    ),
  );
  engine = await startEngine({ workflows: [wf] });
  const handle = await engine.lifeline.start(wf, null);
  expect(await handle.result()).toBe(2);
  const stored = (await engine.lifeline.store.listAttempts(handle.runId)).filter((a) => a.outcome === 'failed').map((a) => a.errorMessage);
  expect(seen).toEqual([
    [],
    [{ attempt: 1, errorClass: 'transient', message: stored[0], alternative: null }],
    [
      { attempt: 1, errorClass: 'transient', message: stored[0], alternative: null },
      { attempt: 2, errorClass: 'unknown', message: 'boom', alternative: null },
    ],
  ]);
  expect(stored[0]).toBe('HTTP 503 with key [REDACTED]');
});
