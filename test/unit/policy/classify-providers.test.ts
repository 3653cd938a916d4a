import { describe, expect, it } from 'vitest';
import * as zm from 'zod/mini';
import * as core from 'zod/v4/core';
import { classifyError } from '../../../src/policy/classify.js';
import { ClassifiedError } from '../../../src/policy/classified-error.js';
import { parseDurationMs } from '../../../src/policy/reset-time.js';
import { withoutSdkRetries } from '../../../src/policy/sdk-retries.js';
import { StepTimeoutError } from '../../../src/errors/timeout-errors.js';
import { RunCancelledError } from '../../../src/errors/workflow-errors.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('errors without an HTTP server', () => {
  it('zod 4 $ZodError from zod/mini and zod/v4/core is validation', () => {
    let mini: unknown;
    try {
      zm.parse(zm.object({ a: zm.string() }), { a: 1 });
    } catch (error) {
      mini = error;
    }
    let fromCore: unknown;
    try {
      core.parse(zm.number(), 'x');
    } catch (error) {
      fromCore = error;
    }
    expect((mini as Error).name).toBe('$ZodError');
    expect(classifyError(mini, [], NOW)).toEqual({ errorClass: 'validation', retryable: false, reason: 'name $ZodError' });
    expect(classifyError(fromCore, [], NOW)).toMatchObject({ errorClass: 'validation' });
  });

  it('DOMException AbortError: timeout when the signal was aborted by a step timeout, cancelled by a run cancel', () => {
    const byTimeout = new AbortController();
    byTimeout.abort(new StepTimeoutError('s#0', 10));
    const byCancel = new AbortController();
    byCancel.abort(new RunCancelledError('run-1'));
    const abortError = new DOMException('This operation was aborted', 'AbortError');
    expect(classifyError(abortError, [], NOW, { signal: byTimeout.signal })).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect(classifyError(abortError, [], NOW, { signal: byCancel.signal })).toMatchObject({ errorClass: 'cancelled', retryable: false });
    // fetch rejects with the signal's default reason: the abort error itself, a deliberate abort.
    const plain = new AbortController();
    plain.abort();
    expect(classifyError(plain.signal.reason, [], NOW, { signal: plain.signal })).toMatchObject({ errorClass: 'cancelled' });
    expect(classifyError(abortError, [], NOW)).toMatchObject({ errorClass: 'unknown' });
  });

  it('an AbortError whose cause is a cancel is cancelled', () => {
    const error = Object.assign(new Error('aborted'), { name: 'AbortError', cause: new RunCancelledError('run-1') });
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'cancelled', reason: 'name AbortError (aborted)' });
  });

  it('a ClassifiedError and a user rule carry a kind of their own', () => {
    expect(classifyError(new ClassifiedError('no budget', { errorClass: 'configuration', kind: 'budget_exceeded' }), [], NOW)).toMatchObject({
      errorClass: 'configuration',
      kind: 'budget_exceeded',
    });
    const rule = () => ({ errorClass: 'dependency' as const, kind: 'overloaded', resetAt: NOW + 5 });
    expect(classifyError(new Error('x'), [rule], NOW)).toMatchObject({ errorClass: 'dependency', kind: 'overloaded', resetAt: NOW + 5 });
  });

  it('a RetryError with only `errors` is classified by the last one', () => {
    const inner = Object.assign(new Error('quota'), { statusCode: 402 });
    const wrapper = Object.assign(new Error('Failed after 2 attempts'), { name: 'AI_RetryError', errors: [new Error('first'), inner] });
    expect(classifyError(wrapper, [], NOW)).toMatchObject({ errorClass: 'configuration', kind: 'quota_exhausted', reason: 'last error: HTTP 402' });
  });

  it('a 429 saying "too many tokens" is a rate limit, not a context overflow', () => {
    const error = Object.assign(new Error('429 Rate limit reached: too many tokens per min; maximum context length unaffected'), { status: 429 });
    expect(classifyError(error, [], NOW)).toMatchObject({ errorClass: 'rate_limit' });
  });
});

describe('rate-limit reset durations', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['0.5s', 500],
  ])('%s is %i ms', (raw, ms) => {
    expect(parseDurationMs(raw)).toBe(ms);
  });

  it.each(['', 'soon', '5', '1x', '1s garbage'])('%j is not a duration', (raw) => {
    expect(parseDurationMs(raw)).toBeUndefined();
  });
});

describe('withoutSdkRetries', () => {
  it('sets maxRetries 0 and keeps the other options', () => {
    expect(withoutSdkRetries({ baseURL: 'http://x', maxRetries: 0 })).toEqual({ baseURL: 'http://x', maxRetries: 0 });
    expect(withoutSdkRetries()).toEqual({ maxRetries: 0 });
  });

  it('refuses another maxRetries, naming the field', () => {
    expect(() => withoutSdkRetries({ maxRetries: 3 })).toThrow(
      "Invalid option withoutSdkRetries.maxRetries: must be 0 or left out: Lifeline's step retries replace the SDK's (got 3)",
    );
  });
});
