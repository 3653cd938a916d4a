import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { classifyError } from '../../src/policy/classify.js';
import { redactMessage } from '../../src/engine/stored-error.js';
import { withoutSdkRetries } from '../../src/policy/sdk-retries.js';
import { caught } from './caught.js';
import { openaiError, startProviderServer, type ProviderServer } from './provider-server.js';

// Errors the official openai SDK (v6) throws against a real local server, classified.
const NOW = Date.parse('2026-11-30T12:00:00Z');
let server: ProviderServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startProviderServer();
  client = new OpenAI(withoutSdkRetries({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' }));
});
afterAll(async () => {
  await server.close();
});

const chat = (options: { signal?: AbortSignal; timeout?: number } = {}) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, options);

describe('openai SDK against a local server', () => {
  it('a normal answer carries usage and finish reason', async () => {
    const answer = await chat();
    expect(answer.usage?.total_tokens).toBe(17);
    expect(answer.choices[0]?.finish_reason).toBe('stop');
  });

  it('openai 429 rate_limit_exceeded with retry-after-ms: rate_limit with the wait', async () => {
    server.reply({ status: 429, headers: { 'retry-after-ms': '1500' }, body: openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded') });
    expect(classifyError(await caught(chat), [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 1500, resetAt: NOW + 1500 });
  });

  it('openai 429 without retry-after: the reset of the used-up limit is the wait', async () => {
    server.reply({
      status: 429,
      headers: {
        'x-ratelimit-remaining-requests': '5',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '6m0s',
      },
      body: openaiError('Rate limit reached for tokens per min', 'tokens', 'rate_limit_exceeded'),
    });
    expect(classifyError(await caught(chat), [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryAfterMs: 360_000 });
  });

  it('openai 429 insufficient_quota: configuration, quota_exhausted with the reset time, not retried', async () => {
    server.reply({
      status: 429,
      headers: { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '1h2m3.5s' },
      body: openaiError('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
    });
    expect(classifyError(await caught(chat), [], NOW)).toEqual({
      errorClass: 'configuration',
      retryable: false,
      kind: 'quota_exhausted',
      resetAt: NOW + 3_723_500,
      reason: 'code insufficient_quota',
    });
  });

  it('openai 402: configuration, quota_exhausted', async () => {
    server.reply({ status: 402, body: openaiError('Payment required', 'billing_error') });
    expect(classifyError(await caught(chat), [], NOW)).toEqual({
      errorClass: 'configuration',
      retryable: false,
      kind: 'quota_exhausted',
      reason: 'code billing_error',
    });
  });

  it('openai 413: validation, payload_too_large', async () => {
    server.reply({ status: 413, body: openaiError('Request too large', 'invalid_request_error') });
    expect(classifyError(await caught(chat), [], NOW)).toMatchObject({ errorClass: 'validation', retryable: false, kind: 'payload_too_large' });
  });

  it('openai 400 context_length_exceeded: validation, context_overflow', async () => {
    server.reply({
      status: 400,
      body: openaiError(
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
        'invalid_request_error',
        'context_length_exceeded',
      ),
    });
    expect(classifyError(await caught(chat), [], NOW)).toMatchObject({
      errorClass: 'validation',
      kind: 'context_overflow',
      reason: 'code context_length_exceeded',
    });
  });

  it('openai 400 content_filter: validation, content_policy', async () => {
    server.reply({
      status: 400,
      body: openaiError('The response was filtered due to the prompt triggering content management policy.', 'invalid_request_error', 'content_filter'),
    });
    expect(classifyError(await caught(chat), [], NOW)).toMatchObject({ errorClass: 'validation', kind: 'content_policy' });
  });

  it('openai 404 model_not_found: configuration, model_not_found', async () => {
    server.reply({ status: 404, body: openaiError('The model `gpt-9` does not exist', 'invalid_request_error', 'model_not_found') });
    expect(classifyError(await caught(chat), [], NOW)).toMatchObject({ errorClass: 'configuration', kind: 'model_not_found' });
  });

  it('openai 401 echoing a short key fragment: configuration, auth, and the fragment is redacted', async () => {
    server.reply({
      status: 401,
      body: openaiError(
        'Incorrect API key provided: sk-abc***xyz1. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
    });
    const error = (await caught(chat)) as Error;
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'configuration', kind: 'auth' });
    expect(error.message).toContain('sk-abc***xyz1');
    expect(redactMessage(error.message)).toBe(
      '401 Incorrect API key provided: [REDACTED]. You can find your API key at https://platform.openai.com/account/api-keys.',
    );
  });

  it('openai 529: transient, overloaded', async () => {
    server.reply({ status: 529, headers: { 'retry-after': '2' }, body: openaiError('Overloaded', 'server_error') });
    expect(classifyError(await caught(chat), [], NOW)).toMatchObject({ errorClass: 'transient', kind: 'overloaded', retryAfterMs: 2000 });
  });

  it('openai hang with the client timeout: APIConnectionTimeoutError is timeout', async () => {
    server.reply({ hang: true });
    const error = await caught(() => chat({ timeout: 100 }));
    expect((error as Error).constructor.name).toBe('APIConnectionTimeoutError');
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'timeout', retryable: true, reason: 'name APIConnectionTimeoutError' });
  });

  it('openai APIUserAbortError: timeout when the signal was aborted by a timeout, cancelled by a cancel, unknown without the signal', async () => {
    for (const [reason, expected] of [
      [new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timeout'],
      [undefined, 'cancelled'],
    ] as const) {
      const controller = new AbortController();
      const before = server.requests.length;
      server.reply({ hang: true });
      const pending = caught(() => chat({ signal: controller.signal }));
      await server.waitForRequests(before + 1);
      controller.abort(reason);
      const error = await pending;
      expect((error as Error).constructor.name).toBe('APIUserAbortError');
      expect(classifyError(error, [], NOW, { signal: controller.signal }).errorClass).toBe(expected);
      expect(classifyError(error, [], NOW).errorClass).toBe('unknown');
    }
  });

  it('openai cut connection: APIConnectionError with a socket cause is transient', async () => {
    server.reply({ cut: true });
    const error = await caught(chat);
    expect((error as Error).constructor.name).toBe('APIConnectionError');
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'transient', retryable: true });
  });

  it('openai APIConnectionError without a cause is transient', () => {
    expect(classifyError(new OpenAI.APIConnectionError({ message: undefined }), [], NOW)).toMatchObject({
      errorClass: 'transient',
      reason: 'name APIConnectionError',
    });
  });

  it('openai finish_reason length / content_filter in parse(): validation, output_truncated / content_policy', async () => {
    const parse = () =>
      client.chat.completions.parse({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
      });
    server.reply({ finishReason: 'length', content: '{"a":' });
    const length = await caught(parse);
    expect((length as Error).constructor.name).toBe('LengthFinishReasonError');
    expect(classifyError(length, [], NOW)).toMatchObject({ errorClass: 'validation', retryable: false, kind: 'output_truncated' });
    server.reply({ finishReason: 'content_filter', content: '' });
    const filtered = await caught(parse);
    expect((filtered as Error).constructor.name).toBe('ContentFilterFinishReasonError');
    expect(classifyError(filtered, [], NOW)).toMatchObject({ errorClass: 'validation', retryable: false, kind: 'content_policy' });
  });
});
