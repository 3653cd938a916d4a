import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { classifyError } from '../../src/policy/classify.js';
import { withoutSdkRetries } from '../../src/policy/sdk-retries.js';
import { caught } from './caught.js';
import { anthropicError, startProviderServer, type ProviderServer } from './provider-server.js';

// Errors the official @anthropic-ai/sdk throws against a real local server, classified.
const NOW = Date.parse('2026-11-30T12:00:00Z');
let server: ProviderServer;
let client: Anthropic;

beforeAll(async () => {
  server = await startProviderServer();
  client = new Anthropic(withoutSdkRetries({ baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-api03-local-test-key-000000000000' }));
});
afterAll(async () => {
  await server.close();
});

const message = (options: { signal?: AbortSignal } = {}, c: Anthropic = client) =>
  c.messages.create({ model: 'claude-test', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, options);

describe('Anthropic SDK against a local server', () => {
  it('a normal answer carries usage and stop reason', async () => {
    const answer = await message();
    expect(answer.usage.output_tokens).toBe(5);
    expect(answer.stop_reason).toBe('end_turn');
  });

  it('anthropic 529 overloaded_error: transient, overloaded', async () => {
    server.reply({ status: 529, body: anthropicError('overloaded_error', 'Overloaded') });
    const error = await caught(message);
    expect((error as Error).name).toBe('OverloadedError');
    expect(classifyError(error, [], NOW)).toEqual({ errorClass: 'transient', retryable: true, kind: 'overloaded', reason: 'HTTP 529' });
  });

  it('anthropic overloaded_error on a 503: transient, overloaded', async () => {
    server.reply({ status: 503, body: anthropicError('overloaded_error', 'Overloaded') });
    expect(classifyError(await caught(message), [], NOW)).toMatchObject({ errorClass: 'transient', kind: 'overloaded', reason: 'code overloaded_error' });
  });

  it('anthropic 429 rate_limit_error with retry-after: rate_limit with the wait', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after': '7' },
      body: anthropicError('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
    });
    expect(classifyError(await caught(message), [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 7000 });
  });

  it('anthropic 429 without retry-after: the anthropic-ratelimit reset of the used-up limit is the wait', async () => {
    server.reply({
      status: 429,
      headers: { 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': new Date(NOW + 42_000).toISOString() },
      body: anthropicError('rate_limit_error', 'rate limited'),
    });
    expect(classifyError(await caught(message), [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryAfterMs: 42_000 });
  });

  it('anthropic 400 prompt is too long: validation, context_overflow', async () => {
    server.reply({ status: 400, body: anthropicError('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum') });
    expect(classifyError(await caught(message), [], NOW)).toMatchObject({ errorClass: 'validation', retryable: false, kind: 'context_overflow' });
  });

  it('anthropic 402 billing_error: configuration, quota_exhausted', async () => {
    server.reply({ status: 402, body: anthropicError('billing_error', 'Your credit balance is too low') });
    expect(classifyError(await caught(message), [], NOW)).toMatchObject({ errorClass: 'configuration', retryable: false, kind: 'quota_exhausted' });
  });

  it('anthropic 401 authentication_error: configuration, auth', async () => {
    server.reply({ status: 401, body: anthropicError('authentication_error', 'invalid x-api-key') });
    expect(classifyError(await caught(message), [], NOW)).toMatchObject({ errorClass: 'configuration', kind: 'auth' });
  });

  it('anthropic missing credentials: configuration, auth, before any request', async () => {
    const saved = { key: process.env.ANTHROPIC_API_KEY, token: process.env.ANTHROPIC_AUTH_TOKEN };
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_AUTH_TOKEN;
    try {
      const bare = new Anthropic(withoutSdkRetries({ baseURL: server.anthropicBaseURL, apiKey: null }));
      const before = server.requests.length;
      const error = await caught(() => message({}, bare));
      expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'configuration', retryable: false, kind: 'auth' });
      expect(server.requests.length).toBe(before);
    } finally {
      if (saved.key !== undefined) process.env.ANTHROPIC_API_KEY = saved.key;
      if (saved.token !== undefined) process.env.ANTHROPIC_AUTH_TOKEN = saved.token;
    }
  });

  it('anthropic APIUserAbortError: timeout by a timeout reason, cancelled by a cancel', async () => {
    for (const [reason, expected] of [
      [new DOMException('signal timed out', 'TimeoutError'), 'timeout'],
      [new Error('user pressed stop'), 'cancelled'],
    ] as const) {
      const controller = new AbortController();
      const before = server.requests.length;
      server.reply({ hang: true });
      const pending = caught(() => message({ signal: controller.signal }));
      await server.waitForRequests(before + 1);
      controller.abort(reason);
      const error = await pending;
      expect((error as Error).name).toBe('APIUserAbortError');
      expect(classifyError(error, [], NOW, { signal: controller.signal }).errorClass).toBe(expected);
    }
  });

  it('anthropic cut connection: transient', async () => {
    server.reply({ cut: true });
    const error = await caught(message);
    expect((error as Error).name).toBe('APIConnectionError');
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'transient' });
  });
});
