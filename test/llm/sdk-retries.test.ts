import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { defineWorkflow } from '../../src/workflow/define.js';
import { withoutSdkRetries } from '../../src/policy/sdk-retries.js';
import { startEngine, type TestEngine } from '../helpers.js';
import { openaiError, startProviderServer, type ProviderServer } from './provider-server.js';

// The SDKs retry inside each of Lifeline's attempts: the calls multiply. Counted at the server.
let server: ProviderServer;
let engine: TestEngine | undefined;

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** A workflow whose one step calls chat completions, 4 attempts, no backoff. */
function callingWorkflow(name: string, client: OpenAI) {
  return defineWorkflow(name, async (ctx) =>
    ctx.step(
      'chat',
      async ({ signal }) => {
        const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { signal });
        return answer.choices[0]?.message.content ?? null;
      },
      { retry: { maxAttempts: 4, initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' } },
    ),
  );
}

const failing = { status: 500, headers: { 'retry-after-ms': '1' }, body: openaiError('The server had an error', 'server_error') };

async function httpCallsFor(name: string, client: OpenAI): Promise<{ calls: number; attempts: number }> {
  const wf = callingWorkflow(name, client);
  engine = await startEngine({ workflows: [wf] });
  server.reply(...Array.from({ length: 20 }, () => failing));
  const before = server.requests.length;
  const handle = await engine.lifeline.start(wf, null);
  await expect(handle.result()).rejects.toThrow('failed with transient error after 4 attempts: 500 The server had an error');
  const calls = server.requests.length - before;
  const attempts = (await engine.lifeline.store.listAttempts(handle.runId)).length;
  return { calls, attempts };
}

describe('SDK retries multiply Lifeline retries', () => {
  it('openai with its default maxRetries (2): 4 Lifeline attempts became 12 HTTP calls; withoutSdkRetries: 4', async () => {
    const defaults = new OpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' });
    expect(await httpCallsFor('sdk.retries.default', defaults)).toEqual({ calls: 12, attempts: 4 });
    await engine?.close();
    engine = undefined;
    const off = new OpenAI(withoutSdkRetries({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' }));
    expect(await httpCallsFor('sdk.retries.off', off)).toEqual({ calls: 4, attempts: 4 });
  });
});
