// llmStep against a real local HTTP server speaking the OpenAI wire format, with the real openai
// SDK and the AI SDK (+ @ai-sdk/openai): fallback on 429, timeout, context overflow, an open
// shared breaker and a cost cap; usage in the ledger per attempt; replay without a call; each
// hop's attempt row. Requests are counted at the server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { llmStep } from '../../src/llm/llm-step.js';
import { openaiChat, type OpenAIChatRequest } from '../../src/llm/openai-chat.js';
import { aiSdkText } from '../../src/llm/ai-sdk.js';
import type { PriceEntry } from '../../src/costs/prices.js';
import type { AttemptRecord } from '../../src/store/types.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';
import { openaiError, startProviderServer, type ProviderServer } from './provider-server.js';

let server: ProviderServer;
let engine: TestEngine | undefined;
let client: OpenAI;

beforeAll(async () => {
  server = await startProviderServer();
  // The SDK's own retries are left at their default (2): the adapter turns them off per request.
  client = new OpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

// $10 / $30 and $1 / $2 per million tokens: worst cases of 1000 in + 1000 out are $0.04 and $0.003.
const PRICES: PriceEntry[] = [
  { provider: 'openai', model: 'big-*', since: '2020-01-01', inputPerMTok: 10, cachedInputPerMTok: 1, outputPerMTok: 30 },
  { provider: 'openai', model: 'small-*', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 2 },
];
const pricing = { prices: PRICES };
const request: OpenAIChatRequest = { messages: [{ role: 'user', content: 'Summarise the report.' }] };
const once = { maxAttempts: 1 };

/** The model names of the requests since `from`, as the server saw them. */
const modelsCalled = (from: number) => server.requests.slice(from).map((r) => (r.body as { model: string }).model);

const hops = (attempts: AttemptRecord[]) =>
  attempts.map((a) => ({ alternative: a.alternative, outcome: a.outcome, errorClass: a.errorClass, movedOn: a.movedOn }));

describe('llmStep with the openai SDK', () => {
  it('a 429 on the first model moves on to the next at once; each hop is recorded; usage lands in the ledger per attempt', async () => {
    const wf = defineWorkflow('llm.429', async (ctx) =>
      llmStep(ctx, 'answer', {
        request,
        estimatedInputTokens: 1000,
        models: [
          { model: 'big-a', provider: 'openai', call: openaiChat(client), maxOutputTokens: 1000, retry: { maxAttempts: 3 } },
          { model: 'small-b', provider: 'openai', call: openaiChat(client), maxOutputTokens: 500 },
        ],
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const from = server.requests.length;
    server.reply({ status: 429, headers: { 'retry-after-ms': '1' }, body: openaiError('Rate limit reached for big-a', 'requests', 'rate_limit_exceeded') });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toEqual({
      output: 'hello',
      model: 'small-b',
      responseModel: 'small-b',
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 5 },
    });
    // One HTTP call per model: no SDK retry of the 429, no own retry of big-a (rate_limit moves on at once).
    expect(modelsCalled(from)).toEqual(['big-a', 'small-b']);
    expect((server.requests.at(-1)?.body as { max_completion_tokens?: number }).max_completion_tokens).toBe(500);
    expect(hops(await engine.lifeline.store.listAttempts(h.runId))).toEqual([
      { alternative: 'big-a', outcome: 'failed', errorClass: 'rate_limit', movedOn: 'rate_limit: 429 Rate limit reached for big-a, moved to small-b' },
      { alternative: 'small-b', outcome: 'succeeded', errorClass: null, movedOn: null },
    ]);
    const ledger = (await engine.lifeline.listCosts({ runId: h.runId })).map((e) => ({
      attempt: e.attempt,
      model: e.model,
      state: e.state,
      inputTokens: e.inputTokens,
      outputTokens: e.outputTokens,
      reservedMicros: e.reservedMicros,
      costMicros: e.costMicros,
    }));
    expect(ledger).toEqual([
      // big-a's worst case (1000 x 10 + 1000 x 30), given back: the refused call billed nothing.
      { attempt: 1, model: 'big-a', state: 'released', inputTokens: 0, outputTokens: 0, reservedMicros: 40_000, costMicros: 0 },
      // small-b's worst case (1000 x 1 + 500 x 2), replaced by the real usage (12 x 1 + 5 x 2).
      { attempt: 2, model: 'small-b', state: 'committed', inputTokens: 12, outputTokens: 5, reservedMicros: 2_000, costMicros: 22 },
    ]);
  });

  it("a transient failure is retried by the model's own retry count, then the next model (with its own count) is tried", async () => {
    const noWait = { initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' as const };
    const wf = defineWorkflow('llm.retries', async (ctx) =>
      llmStep(ctx, 'answer', {
        request,
        models: [
          { model: 'big-a', provider: 'openai', call: openaiChat(client), retry: { maxAttempts: 2, ...noWait } },
          { model: 'small-b', provider: 'openai', call: openaiChat(client), retry: { maxAttempts: 3, ...noWait } },
        ],
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const from = server.requests.length;
    const failing = { status: 500, body: openaiError('The server had an error', 'server_error') };
    server.reply(failing, failing, failing, failing);
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toMatchObject({ output: 'hello', model: 'small-b' });
    expect(modelsCalled(from)).toEqual(['big-a', 'big-a', 'small-b', 'small-b', 'small-b']);
    expect(hops(await engine.lifeline.store.listAttempts(h.runId)).map((a) => [a.alternative, a.outcome, a.movedOn])).toEqual([
      ['big-a', 'failed', null],
      ['big-a', 'failed', 'transient: 500 The server had an error, moved to small-b'],
      ['small-b', 'failed', null],
      ['small-b', 'failed', null],
      ['small-b', 'succeeded', null],
    ]);
  });

  it('a model that times out (its own timeout) moves on to the next', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('llm.timeout', async (ctx) =>
      llmStep(ctx, 'answer', {
        request,
        models: [
          { model: 'big-a', provider: 'openai', call: openaiChat(client), timeout: '30s', retry: once },
          { model: 'small-b', provider: 'openai', call: openaiChat(client) },
        ],
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing, clock });
    const from = server.requests.length;
    server.reply({ hang: true });
    const h = await engine.lifeline.start(wf, null);
    await server.waitForRequests(from + 1);
    await clock.advance(30_000);
    expect(await h.result()).toMatchObject({ output: 'hello', model: 'small-b' });
    expect(modelsCalled(from)).toEqual(['big-a', 'small-b']);
    expect(hops(await engine.lifeline.store.listAttempts(h.runId))).toEqual([
      { alternative: 'big-a', outcome: 'timeout', errorClass: 'timeout', movedOn: 'timeout: Step "answer#0" timed out after 30000 ms, moved to small-b' },
      { alternative: 'small-b', outcome: 'succeeded', errorClass: null, movedOn: null },
    ]);
  });

  it('context_length_exceeded moves on to a larger-context model: one not larger is passed over without a call', async () => {
    const wf = defineWorkflow('llm.context', async (ctx) =>
      llmStep(ctx, 'answer', {
        request,
        models: [
          { model: 'small-a', provider: 'openai', call: openaiChat(client), contextWindow: 8192, maxOutputTokens: 100 },
          { model: 'small-b', provider: 'openai', call: openaiChat(client), contextWindow: 8192, maxOutputTokens: 100 },
          { model: 'big-c', provider: 'openai', call: openaiChat(client), contextWindow: 128_000, maxOutputTokens: 100 },
        ],
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const from = server.requests.length;
    server.reply({
      status: 400,
      body: openaiError("This model's maximum context length is 8192 tokens.", 'invalid_request_error', 'context_length_exceeded'),
    });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toMatchObject({ output: 'hello', model: 'big-c' });
    expect(modelsCalled(from)).toEqual(['small-a', 'big-c']);
    expect(hops(await engine.lifeline.store.listAttempts(h.runId))).toEqual([
      {
        alternative: 'small-a',
        outcome: 'failed',
        errorClass: 'validation',
        movedOn: "validation: 400 This model's maximum context length is 8192 tokens, moved to small-b",
      },
      {
        alternative: 'small-b',
        outcome: 'failed',
        errorClass: 'validation',
        movedOn: 'validation: context window of small-b (8192 tokens) is not larger than the one that overflowed (8192), moved to big-c',
      },
      { alternative: 'big-c', outcome: 'succeeded', errorClass: null, movedOn: null },
    ]);
  });

  it('an open shared breaker skips its model without a call (the fallback chain skips an open alternative)', async () => {
    const wf = defineWorkflow('llm.breaker', async (ctx) =>
      llmStep(ctx, 'answer', {
        request,
        models: [
          { model: 'big-a', provider: 'openai', call: openaiChat(client), breaker: 'openai:big-a', retry: once },
          { model: 'small-b', provider: 'openai', call: openaiChat(client) },
        ],
      }),
    );
    engine = await startEngine({
      workflows: [wf],
      pricing,
      breakers: { 'openai:big-a': { windowSize: 2, minimumCalls: 1, failureRateThreshold: 50, coolDownMs: 600_000 } },
    });
    // First run: big-a fails (HTTP 500, transient: counted in its breaker, which opens), small-b answers.
    let from = server.requests.length;
    server.reply({ status: 500, body: openaiError('The server had an error', 'server_error') });
    const first = await engine.lifeline.start(wf, null);
    expect(await first.result()).toMatchObject({ model: 'small-b' });
    expect(modelsCalled(from)).toEqual(['big-a', 'small-b']);
    await waitForEvent(engine, (e) => e.type === 'breaker.opened');
    // Second run: big-a is skipped without a request and without an attempt; the skip is a stored event.
    from = server.requests.length;
    const second = await engine.lifeline.start(wf, null);
    expect(await second.result()).toMatchObject({ output: 'hello', model: 'small-b' });
    expect(modelsCalled(from)).toEqual(['small-b']);
    expect(hops(await engine.lifeline.store.listAttempts(second.runId))).toEqual([
      { alternative: 'small-b', outcome: 'succeeded', errorClass: null, movedOn: null },
    ]);
    const skips = (await engine.lifeline.store.listEvents({ runId: second.runId })).filter((e) => e.type === 'step.fallback');
    expect(skips.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      {
        stepId: 'answer#0',
        from: 'big-a',
        to: 'small-b',
        reason: 'breaker openai:big-a open (circuit open: 1 of 1 calls failed (100 % >= 50 %)), skipped',
      },
    ]);
  });

  it('a cost cap refuses the expensive model before any call and the cheaper one answers; none fitting fails with the budget error', async () => {
    const models = [
      { model: 'big-a', provider: 'openai', call: openaiChat(client), maxOutputTokens: 1000 },
      { model: 'small-b', provider: 'openai', call: openaiChat(client), maxOutputTokens: 1000 },
    ];
    const fits = defineWorkflow('llm.cap', async (ctx) => llmStep(ctx, 'answer', { request, estimatedInputTokens: 1000, models }), {
      budget: { perRunUsd: 0.03 },
    });
    const tight = defineWorkflow('llm.cap.tight', async (ctx) => llmStep(ctx, 'answer', { request, estimatedInputTokens: 1000, models }), {
      budget: { perRunUsd: 0.001 },
    });
    engine = await startEngine({ workflows: [fits, tight], pricing });
    let from = server.requests.length;
    const h = await engine.lifeline.start(fits, null);
    expect(await h.result()).toMatchObject({ output: 'hello', model: 'small-b' });
    expect(modelsCalled(from)).toEqual(['small-b']);
    expect(hops(await engine.lifeline.store.listAttempts(h.runId))).toEqual([
      {
        alternative: 'big-a',
        outcome: 'failed',
        errorClass: 'configuration',
        movedOn:
          'configuration: Cost cap budget.perRunUsd ($0.03) would be exceeded by a call to big-a: $0 already spent or reserved, this call may cost up to $0.04, moved to small-b',
      },
      { alternative: 'small-b', outcome: 'succeeded', errorClass: null, movedOn: null },
    ]);
    expect((await engine.lifeline.listCosts({ runId: h.runId })).map((e) => [e.model, e.state, e.costMicros])).toEqual([['small-b', 'committed', 22]]);

    from = server.requests.length;
    const refused = await engine.lifeline.start(tight, null);
    await expect(refused.result()).rejects.toThrow(
      'Step "answer#0" failed with configuration error after 2 attempts: Cost cap budget.perRunUsd ($0.001) would be exceeded by a call to small-b: $0 already spent or reserved, this call may cost up to $0.003.',
    );
    expect(modelsCalled(from)).toEqual([]);
    expect(await engine.lifeline.listCosts({ runId: refused.runId })).toEqual([]);
  });

  it('cached input tokens are read from the response and priced apart', async () => {
    const wf = defineWorkflow('llm.cached', async (ctx) =>
      llmStep(ctx, 'answer', { request, models: [{ model: 'big-a', provider: 'openai', call: openaiChat(client), maxOutputTokens: 100 }] }),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    server.reply({
      body: {
        id: 'chatcmpl-2',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'big-a-2026-01-01',
        choices: [{ index: 0, message: { role: 'assistant', content: 'cut', refusal: null }, finish_reason: 'length', logprobs: null }],
        usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, prompt_tokens_details: { cached_tokens: 40 } },
      },
    });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toEqual({
      output: 'cut',
      model: 'big-a',
      responseModel: 'big-a-2026-01-01',
      finishReason: 'length',
      usage: { inputTokens: 100, cachedInputTokens: 40, outputTokens: 10 },
    });
    // 60 x 10 + 40 x 1 + 10 x 30
    expect((await engine.lifeline.listCosts({ runId: h.runId })).map((e) => [e.inputTokens, e.cachedInputTokens, e.outputTokens, e.costMicros])).toEqual([
      [100, 40, 10, 940],
    ]);
  });

  it('replay after the step committed makes no HTTP call', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('llm.replay', async (ctx) => {
      const first = await llmStep(ctx, 'answer', { request, models: [{ model: 'small-b', provider: 'openai', call: openaiChat(client) }] });
      await ctx.sleep('1m');
      return first;
    });
    engine = await startEngine({ workflows: [wf], pricing, clock });
    const from = server.requests.length;
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping' && e.runId === h.runId);
    expect(modelsCalled(from)).toEqual(['small-b']);
    await clock.advance(60_000);
    expect(await h.result()).toMatchObject({ output: 'hello', model: 'small-b' });
    expect(modelsCalled(from)).toEqual(['small-b']);
    expect((await engine.lifeline.listCosts({ runId: h.runId })).length).toBe(1);
  });
});

describe('llmStep with the AI SDK (generateText, @ai-sdk/openai)', () => {
  it('a 429 moves on to the next model (no SDK retry); usage, model and finish reason are read from the result', async () => {
    const provider = createOpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' });
    const call = aiSdkText({ generateText, languageModel: (id) => provider.chat(id) });
    const wf = defineWorkflow('llm.aisdk', async (ctx) =>
      llmStep(ctx, 'answer', {
        request: { prompt: 'Summarise the report.' },
        models: [
          { model: 'big-a', provider: 'openai', call, maxOutputTokens: 200 },
          { model: 'small-b', provider: 'openai', call, maxOutputTokens: 200 },
        ],
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const from = server.requests.length;
    server.reply({ status: 429, headers: { 'retry-after-ms': '1' }, body: openaiError('Rate limit reached for big-a', 'requests', 'rate_limit_exceeded') });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toEqual({
      output: 'hello',
      model: 'small-b',
      responseModel: 'small-b',
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 5 },
    });
    expect(modelsCalled(from)).toEqual(['big-a', 'small-b']);
    expect((server.requests.at(-1)?.body as { max_tokens?: number }).max_tokens).toBe(200);
    expect(hops(await engine.lifeline.store.listAttempts(h.runId)).map((a) => [a.alternative, a.errorClass])).toEqual([
      ['big-a', 'rate_limit'],
      ['small-b', null],
    ]);
    expect((await engine.lifeline.listCosts({ runId: h.runId })).map((e) => [e.model, e.state, e.inputTokens, e.outputTokens])).toEqual([
      ['big-a', 'released', 0, 0],
      ['small-b', 'committed', 12, 5],
    ]);
  });
});
