import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateObject, generateText, jsonSchema } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { classifyError } from '../../src/policy/classify.js';
import { withoutSdkRetries } from '../../src/policy/sdk-retries.js';
import { caught } from './caught.js';
import { openaiError, startProviderServer, type ProviderServer } from './provider-server.js';

// Errors the AI SDK (`ai` + `@ai-sdk/openai`, chat completions) throws against a real local server, classified.
const NOW = Date.parse('2026-11-30T12:00:00Z');
let server: ProviderServer;
let provider: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  server = await startProviderServer();
  provider = createOpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' });
});
afterAll(async () => {
  await server.close();
});

const generate = (maxRetries = 0) => generateText({ model: provider.chat('gpt-4o-mini'), prompt: 'hi', maxRetries });

describe('AI SDK against a local server', () => {
  it('a normal answer carries usage and finish reason', async () => {
    const answer = await generateText(withoutSdkRetries({ model: provider.chat('gpt-4o-mini'), prompt: 'hi' }));
    expect(answer.usage.totalTokens).toBe(17);
    expect(answer.finishReason).toBe('stop');
  });

  it('AI SDK APICallError 429 with retry-after-ms in responseHeaders: rate_limit with the wait', async () => {
    server.reply({ status: 429, headers: { 'retry-after-ms': '2500' }, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') });
    const error = await caught(() => generate());
    expect((error as Error).name).toBe('AI_APICallError');
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 2500 });
  });

  it('AI SDK APICallError 429 with retry-after (seconds) in responseHeaders: rate_limit with the wait', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '3' }, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') });
    expect(classifyError(await caught(() => generate()), [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryAfterMs: 3000 });
  });

  it('AI SDK APICallError 429 insufficient_quota: configuration, quota_exhausted', async () => {
    server.reply({ status: 429, body: openaiError('You exceeded your current quota', 'insufficient_quota', 'insufficient_quota') });
    expect(classifyError(await caught(() => generate()), [], NOW)).toMatchObject({ errorClass: 'configuration', retryable: false, kind: 'quota_exhausted' });
  });

  it('AI SDK RetryError (maxRetriesExceeded) unwrapped: the last 429 stays rate_limit with its wait', async () => {
    server.reply(
      { status: 429, headers: { 'retry-after-ms': '1' }, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') },
      { status: 429, headers: { 'retry-after-ms': '4000' }, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') },
    );
    const error = await caught(() => generate(1));
    expect((error as Error).name).toBe('AI_RetryError');
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 4000, reason: 'last error: HTTP 429' });
  });

  it('AI SDK RetryError (errorNotRetryable) unwrapped: a 403 after a 429 is configuration, not retried', async () => {
    server.reply(
      { status: 429, headers: { 'retry-after-ms': '1' }, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') },
      { status: 403, body: openaiError('Project does not have access to model', 'invalid_request_error') },
    );
    const error = await caught(() => generate(1));
    expect((error as Error).name).toBe('AI_RetryError');
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'configuration', retryable: false, kind: 'auth' });
  });

  it('AI SDK RetryError unwrapped: a 400 context_length_exceeded after a 429 is validation, context_overflow', async () => {
    server.reply(
      { status: 429, headers: { 'retry-after-ms': '1' }, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') },
      { status: 400, body: openaiError("This model's maximum context length is 8192 tokens.", 'invalid_request_error', 'context_length_exceeded') },
    );
    expect(classifyError(await caught(() => generate(1)), [], NOW)).toMatchObject({ errorClass: 'validation', retryable: false, kind: 'context_overflow' });
  });

  it('AI SDK APICallError 529: transient, overloaded', async () => {
    server.reply({ status: 529, body: openaiError('Overloaded', 'server_error') });
    expect(classifyError(await caught(() => generate()), [], NOW)).toMatchObject({ errorClass: 'transient', kind: 'overloaded' });
  });

  it('AI SDK NoObjectGeneratedError with finish reason length: validation, output_truncated', async () => {
    server.reply({ finishReason: 'length', content: '{"a":' });
    const error = await caught(() =>
      generateObject(
        withoutSdkRetries({
          model: provider.chat('gpt-4o-mini'),
          prompt: 'hi',
          schema: jsonSchema<{ a: number }>({ type: 'object', properties: { a: { type: 'number' } } }),
        }),
      ),
    );
    expect((error as Error).name).toBe('AI_NoObjectGeneratedError');
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'validation', retryable: false, kind: 'output_truncated' });
  });

  it('AI SDK cut connection: transient', async () => {
    server.reply({ cut: true });
    expect(classifyError(await caught(() => generate()), [], NOW)).toMatchObject({ errorClass: 'transient', retryable: true });
  });
});
