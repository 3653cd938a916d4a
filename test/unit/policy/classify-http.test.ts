import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/policy/classify.js';

const NOW = Date.parse('2024-01-01T00:00:00Z');

function httpError(fields: Record<string, unknown>, message = 'Request failed'): Error {
  return Object.assign(new Error(message), fields);
}

// Mimics SDK subclasses that do not set `name` (openai-node): only the constructor says what it is.
class RateLimitError extends Error {
  status = 429;
  constructor(readonly headers: Record<string, string>) {
    super('429 Rate limit reached');
  }
}

describe('HTTP status sources', () => {
  it.each([
    ['status', { status: 502 }],
    ['statusCode', { statusCode: 502 }],
    ['response.status', { response: { status: 502 } }],
    ['response.statusCode', { response: { statusCode: 502 } }],
    ['a numeric string', { status: '502' }],
  ])('reads %s', (_label, fields) => {
    expect(classifyError(httpError(fields))).toEqual({ errorClass: 'transient', retryable: true, reason: 'HTTP 502' });
  });

  it('ignores a status that is not an HTTP status', () => {
    expect(classifyError(httpError({ status: 'failed' })).errorClass).toBe('unknown');
    expect(classifyError(httpError({ status: 42 })).errorClass).toBe('unknown');
  });
});

describe('HTTP status mapping', () => {
  it.each([
    [500, 'transient', true],
    [502, 'transient', true],
    [503, 'transient', true],
    [504, 'transient', true],
    [529, 'transient', true],
    [408, 'transient', true],
    [501, 'configuration', false],
    [401, 'configuration', false],
    [403, 'configuration', false],
    [404, 'configuration', false],
    [400, 'validation', false],
    [422, 'validation', false],
    [425, 'dependency', true],
    [429, 'rate_limit', true],
  ])('%i is %s', (status, errorClass, retryable) => {
    expect(classifyError(httpError({ status }))).toMatchObject({ errorClass, retryable, reason: `HTTP ${status}` });
  });

  it('leaves other 4xx to later rules', () => {
    expect(classifyError(httpError({ status: 409 }))).toMatchObject({ errorClass: 'unknown', retryable: true });
  });

  it.each(['Model is loading', 'service not ready', 'Server is starting up'])('503 "%s" is a dependency', (message) => {
    expect(classifyError(httpError({ status: 503 }, message))).toMatchObject({ errorClass: 'dependency', retryable: true });
  });
});

describe('rate limits', () => {
  it('by constructor name, with retry-after-ms', () => {
    const c = classifyError(new RateLimitError({ 'retry-after-ms': '250' }), [], NOW);
    expect(c).toEqual({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 250, resetAt: NOW + 250, reason: 'HTTP 429' });
  });

  it('by name or code without a status', () => {
    const byName = Object.assign(new Error('slow down'), { name: 'RateLimitError' });
    expect(classifyError(byName)).toMatchObject({ errorClass: 'rate_limit', reason: 'name RateLimitError' });
    expect(classifyError(httpError({ code: 'rate_limit_exceeded' }))).toMatchObject({
      errorClass: 'rate_limit',
      reason: 'code rate_limit_exceeded',
    });
  });

  it('retry-after in seconds, any header case', () => {
    expect(classifyError(httpError({ status: 429, headers: { 'Retry-After': '3' } }), [], NOW).retryAfterMs).toBe(3000);
  });

  it('retry-after as an HTTP date, relative to now', () => {
    const headers = { 'retry-after': new Date(NOW + 7000).toUTCString() };
    expect(classifyError(httpError({ status: 429, headers }), [], NOW).retryAfterMs).toBe(7000);
    const past = { 'retry-after': new Date(NOW - 7000).toUTCString() };
    expect(classifyError(httpError({ status: 429, headers: past }), [], NOW).retryAfterMs).toBe(0);
  });

  it('reads a Headers object on response.headers', () => {
    const response = { status: 429, headers: new Headers({ 'Retry-After-Ms': '1200' }) };
    expect(classifyError(httpError({ response }), [], NOW)).toMatchObject({ errorClass: 'rate_limit', retryAfterMs: 1200 });
  });

  it('ignores a garbage retry-after', () => {
    const c = classifyError(httpError({ status: 429, headers: { 'retry-after': 'soon-ish' } }), [], NOW);
    expect(c.errorClass).toBe('rate_limit');
    expect(c.retryAfterMs).toBeUndefined();
    expect(classifyError(httpError({ status: 429, headers: { 'retry-after': '-5' } }), [], NOW).retryAfterMs).toBeUndefined();
  });

  it('keeps a 503 Retry-After', () => {
    expect(classifyError(httpError({ status: 503, headers: { 'retry-after': '2' } }), [], NOW)).toMatchObject({
      errorClass: 'transient',
      retryAfterMs: 2000,
    });
  });
});
