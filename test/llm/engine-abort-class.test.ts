// The official openai SDK inside a step, against a local server that never answers: the SDK's
// APIUserAbortError says nothing of why it was aborted; the attempt row must still say timeout
// when the step's timeout aborted the call, and cancelled when the run was cancelled.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { RunCancelledError, RunFailedError } from '../../src/errors/workflow-errors.js';
import { startEngine, type TestEngine } from '../helpers.js';
import { startProviderServer, type ProviderServer } from './provider-server.js';

let server: ProviderServer;
let engine: TestEngine | undefined;
let client: OpenAI;

beforeAll(async () => {
  server = await startProviderServer();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: server.openaiBaseURL, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const chat = (name: string) =>
  defineWorkflow(name, async (ctx) =>
    ctx.step(
      'chat',
      async ({ signal }) => {
        const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { signal });
        return answer.choices[0]?.message.content ?? null;
      },
      { timeout: 5_000, retry: { maxAttempts: 1 } },
    ),
  );

describe('an SDK call aborted by the engine', () => {
  it('by the step timeout: the attempt is class timeout', async () => {
    const clock = new ManualClock();
    const wf = chat('abort.timeout');
    engine = await startEngine({ workflows: [wf], clock });
    const before = server.requests.length;
    server.reply({ hang: true });
    const h = await engine.lifeline.start(wf);
    await server.waitForRequests(before + 1);
    await clock.advance(5_000);
    await expect(h.result()).rejects.toBeInstanceOf(RunFailedError);
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.outcome, a.errorClass])).toEqual([['timeout', 'timeout']]);
  });

  it('by a cancel: the attempt is cancelled', async () => {
    const wf = chat('abort.cancel');
    engine = await startEngine({ workflows: [wf], worker: { heartbeatMs: 50 } });
    const before = server.requests.length;
    server.reply({ hang: true });
    const h = await engine.lifeline.start(wf);
    await server.waitForRequests(before + 1);
    await engine.lifeline.cancel(h.runId);
    await expect(h.result()).rejects.toBeInstanceOf(RunCancelledError);
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.outcome, a.errorClass])).toEqual([['cancelled', 'cancelled']]);
  });
});
