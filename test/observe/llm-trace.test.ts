// GenAI spans of llmStep calls through the real openai SDK against a local HTTP server speaking
// the OpenAI wire format: each call a CLIENT span under its attempt with the GenAI semantic
// conventions, token usage and cost as attributes the in-memory exporter receives; a refused
// call (429) is an error span and the step moves on to the next model.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { aiSdkText } from '../../src/llm/ai-sdk.js';
import { SpanKind } from '@opentelemetry/api';
import { defineWorkflow } from '../../src/workflow/define.js';
import { llmStep } from '../../src/llm/llm-step.js';
import { openaiChat } from '../../src/llm/openai-chat.js';
import type { PriceEntry } from '../../src/costs/prices.js';
import { startEngine, type TestEngine } from '../helpers.js';
import { openaiError, startProviderServer, USAGE, type ProviderServer } from '../llm/provider-server.js';
import { ERROR, parentOf, registerOtel, type OtelKit } from './otel-kit.js';

let server: ProviderServer;
let client: OpenAI;
let otel: OtelKit;
let engine: TestEngine | undefined;

beforeAll(async () => {
  otel = registerOtel();
  server = await startProviderServer();
  client = new OpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' });
});
afterAll(async () => {
  await server.close();
  await otel.shutdown();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

// $10 in / $30 out per million tokens: 12 in + 5 out cost $0.00027.
const PRICES: PriceEntry[] = [
  { provider: 'openai', model: 'big-*', since: '2020-01-01', inputPerMTok: 10, outputPerMTok: 30 },
  { provider: 'openai', model: 'small-*', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 2 },
];

describe('GenAI spans of LLM steps', () => {
  it('a model call is a CLIENT span under its attempt with operation, provider, models, token usage and cost; a 429 is an error span', async () => {
    const wf = defineWorkflow('otel.llm', async (ctx) =>
      llmStep(ctx, 'answer', {
        request: { messages: [{ role: 'user', content: 'Summarise.' }] },
        estimatedInputTokens: 100,
        models: [
          { model: 'big-a', provider: 'openai', call: openaiChat(client), maxOutputTokens: 200, retry: { maxAttempts: 1 } },
          { model: 'small-b', provider: 'openai', call: openaiChat(client), maxOutputTokens: 100 },
        ],
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing: { prices: PRICES } });
    server.reply({ status: 429, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') }, { content: 'short summary' });
    const handle = await engine.lifeline.start(wf, undefined, { runId: 'llm-1' });
    expect((await handle.result()).model).toBe('small-b');
    await otel.ended('run otel.llm');

    const refused = otel.one('chat big-a');
    expect(refused.kind).toBe(SpanKind.CLIENT);
    expect(refused.status.code).toBe(ERROR);
    expect(refused.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'lifeline.error_class': 'rate_limit' });
    expect(refused.attributes).not.toHaveProperty('gen_ai.usage.input_tokens');

    const answered = otel.one('chat small-b');
    expect(answered.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'small-b',
      'gen_ai.request.max_tokens': 100,
      'gen_ai.response.model': 'small-b',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': USAGE.prompt_tokens,
      'gen_ai.usage.output_tokens': USAGE.completion_tokens,
      'lifeline.cost_usd': (USAGE.prompt_tokens * 1 + USAGE.completion_tokens * 2) / 1_000_000,
    });
    // Each call's span is a child of the attempt that made it (attempt 1: big-a, attempt 2: small-b).
    const attempts = otel.spans().filter((s) => s.name === 'attempt answer');
    const byAlternative = new Map(attempts.map((a) => [a.attributes['lifeline.alternative'], a]));
    expect(parentOf(refused)).toBe(byAlternative.get('big-a')?.spanContext().spanId);
    expect(parentOf(answered)).toBe(byAlternative.get('small-b')?.spanContext().spanId);
    expect(byAlternative.get('big-a')?.attributes).toMatchObject({ 'lifeline.attempt': 1, 'lifeline.will_retry': true, 'lifeline.error_class': 'rate_limit' });
    // The cost the span carries is the ledger's.
    const ledger = await engine.lifeline.listCosts({ runId: 'llm-1' });
    expect(ledger.filter((e) => e.state === 'committed').map((e) => e.costMicros / 1_000_000)).toEqual([answered.attributes['lifeline.cost_usd']]);
  });

  it('the AI SDK adapter (generateText, @ai-sdk/openai) gets the same GenAI span with its usage', async () => {
    const provider = createOpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' });
    const wf = defineWorkflow('otel.aisdk', async (ctx) =>
      llmStep(ctx, 'answer', {
        request: { prompt: 'Summarise.' },
        models: [{ model: 'big-c', provider: 'openai', call: aiSdkText({ generateText, languageModel: (id) => provider.chat(id) }), maxOutputTokens: 50 }],
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing: { prices: PRICES } });
    const handle = await engine.lifeline.start(wf, undefined, { runId: 'llm-2' });
    expect((await handle.result()).model).toBe('big-c');
    await otel.ended('run otel.aisdk');
    const span = otel.one('chat big-c');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'big-c',
      'gen_ai.response.model': 'big-c',
      'gen_ai.usage.input_tokens': USAGE.prompt_tokens,
      'gen_ai.usage.output_tokens': USAGE.completion_tokens,
      'lifeline.cost_usd': (USAGE.prompt_tokens * 10 + USAGE.completion_tokens * 30) / 1_000_000,
    });
    expect(parentOf(span)).toBe(otel.one('attempt answer', (s) => s.attributes['lifeline.run_id'] === 'llm-2').spanContext().spanId);
  });
});
