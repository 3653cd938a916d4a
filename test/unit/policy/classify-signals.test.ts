import { describe, expect, it } from 'vitest';
import { AssertionError } from 'node:assert';
import { z } from 'zod';
import { RunCancelledError } from '../../../src/errors/workflow-errors.js';
import { InvalidOptionsError } from '../../../src/errors/options-error.js';
import { StepTimeoutError } from '../../../src/errors/timeout-errors.js';
import { InterruptedError } from '../../../src/errors/interrupted-error.js';
import { classifyError } from '../../../src/policy/classify.js';

function withFields(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

function named(name: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { name });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('transient network failures', () => {
  it.each(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'])(
    'code %s',
    (code) => {
      expect(classifyError(withFields('x', { code }))).toEqual({ errorClass: 'transient', retryable: true, reason: `code ${code}` });
    },
  );

  it('reads string errno', () => {
    expect(classifyError(withFields('x', { errno: 'ECONNRESET' })).reason).toBe('code ECONNRESET');
  });

  it('reads codes on causes, as undici fetch reports them (TypeError: fetch failed)', () => {
    const socket = withFields('other side closed', { code: 'UND_ERR_SOCKET' });
    const fetchError = new TypeError('fetch failed', { cause: socket });
    expect(classifyError(fetchError)).toMatchObject({ errorClass: 'transient', reason: 'cause code UND_ERR_SOCKET' });
    const deep = new Error('a', { cause: new Error('b', { cause: withFields('c', { code: 'ECONNREFUSED' }) }) });
    expect(classifyError(deep)).toMatchObject({ errorClass: 'transient', reason: 'cause code ECONNREFUSED' });
  });

  it.each(['socket hang up', 'Network Error', 'TypeError: fetch failed', 'read ECONNRESET'])('message "%s"', (message) => {
    expect(classifyError(new Error(message))).toMatchObject({ errorClass: 'transient', retryable: true });
  });

  it('keeps ETIMEDOUT transient even though the message says timed out', () => {
    expect(classifyError(withFields('connect timed out', { code: 'ETIMEDOUT' })).errorClass).toBe('transient');
  });
});

describe('timeouts', () => {
  it('StepTimeoutError', () => {
    expect(classifyError(new StepTimeoutError('s', 10))).toEqual({ errorClass: 'timeout', retryable: true, reason: 'code STEP_TIMEOUT' });
  });

  it('DOMException TimeoutError from AbortSignal.timeout', () => {
    expect(classifyError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).errorClass).toBe('timeout');
  });

  it('AbortError only with a timeout reason', () => {
    const withReason = withFields('aborted', { name: 'AbortError', cause: new StepTimeoutError('s', 5) });
    expect(classifyError(withReason)).toMatchObject({ errorClass: 'timeout', reason: 'name AbortError (timeout reason)' });
    const viaReasonField = withFields('aborted', { name: 'AbortError', reason: new DOMException('t', 'TimeoutError') });
    expect(classifyError(viaReasonField).errorClass).toBe('timeout');
    expect(classifyError(named('AbortError', 'This operation was aborted')).errorClass).toBe('unknown');
  });

  it('a "timed out" message when nothing else matches', () => {
    expect(classifyError(new Error('Request timed out.'))).toEqual({ errorClass: 'timeout', retryable: true, reason: 'message "timed out"' });
    expect(classifyError('operation timeout').errorClass).toBe('timeout');
  });

  it('a specific cause beats a vague "timed out" wrapper', () => {
    const e = new Error('call timed out', { cause: withFields('x', { status: 401 }) });
    expect(classifyError(e)).toMatchObject({ errorClass: 'configuration', reason: 'cause: HTTP 401' });
  });
});

describe('dependency', () => {
  it('code ENOTREADY', () => {
    expect(classifyError(withFields('db warming', { code: 'ENOTREADY' }))).toMatchObject({ errorClass: 'dependency', retryable: true });
  });
});

describe('configuration', () => {
  it.each(['EACCES', 'EPERM', 'ENOENT', 'ERR_INVALID_URL'])('code %s', (code) => {
    expect(classifyError(withFields('x', { code }))).toMatchObject({ errorClass: 'configuration', retryable: false });
  });

  it('real errors: new URL and readFileSync on a missing file', async () => {
    expect(classifyError(thrown(() => new URL('not a url'))).errorClass).toBe('configuration');
    const { readFileSync } = await import('node:fs');
    expect(classifyError(thrown(() => readFileSync('/definitely/missing/file'))).errorClass).toBe('configuration');
  });

  it.each(['AuthenticationError', 'PermissionDeniedError', 'NotFoundError'])('name %s', (name) => {
    expect(classifyError(named(name))).toMatchObject({ errorClass: 'configuration', reason: `name ${name}` });
  });

  it.each([
    'The OPENAI_API_KEY environment variable is missing or empty',
    'API key not set',
    'Invalid api_key provided',
    'environment variable DATABASE_URL is required',
    'Missing environment variable STRIPE_SECRET',
  ])('message "%s"', (message) => {
    expect(classifyError(new Error(message))).toMatchObject({ errorClass: 'configuration', retryable: false });
  });

  it('Lifeline InvalidOptionsError', () => {
    expect(classifyError(new InvalidOptionsError('Invalid option x: y')).errorClass).toBe('configuration');
  });
});

describe('validation', () => {
  it('ZodError', () => {
    const error = thrown(() => z.object({ a: z.string() }).parse({ a: 1 }));
    expect(classifyError(error)).toMatchObject({ errorClass: 'validation', retryable: false, reason: 'name ZodError' });
  });

  it('SyntaxError from JSON.parse', () => {
    expect(classifyError(thrown(() => JSON.parse('{"a":')))).toMatchObject({ errorClass: 'validation', reason: 'name SyntaxError (JSON)' });
  });

  it.each(['ValidationError', 'BadRequestError', 'UnprocessableEntityError'])('name %s', (name) => {
    expect(classifyError(named(name)).errorClass).toBe('validation');
  });
});

describe('logic', () => {
  it.each([
    ['TypeError', () => (null as unknown as { x: number }).x],
    ['ReferenceError', () => new Function('return notDefinedAnywhere')()],
    ['RangeError', () => new Array(-1)],
    ['SyntaxError', () => new Function('return )(')],
  ])('%s', (name, fn) => {
    expect(classifyError(thrown(fn))).toMatchObject({ errorClass: 'logic', retryable: false, reason: `name ${name}` });
  });

  it('EvalError and AssertionError (by name or ERR_ASSERTION)', () => {
    expect(classifyError(new EvalError('x')).errorClass).toBe('logic');
    expect(classifyError(new AssertionError({ message: 'nope' })).errorClass).toBe('logic');
    expect(classifyError(withFields('x', { code: 'ERR_ASSERTION' })).errorClass).toBe('logic');
  });
});

describe('interrupted and cancelled', () => {
  it('interrupted by the class an InterruptedError carries', () => {
    expect(classifyError(new InterruptedError('worker shut down'))).toEqual({ errorClass: 'interrupted', retryable: true, reason: 'code INTERRUPTED' });
  });

  it('cancelled by the class a RunCancelledError carries', () => {
    expect(classifyError(new RunCancelledError('r1'))).toEqual({ errorClass: 'cancelled', retryable: false, reason: 'code CANCELLED' });
  });

  // The class is data on Lifeline's own errors; a foreign error that borrows a name or a code
  // is not one of them, so it is not classified as one.
  it('a plain error named or coded like a Lifeline error is not one', () => {
    expect(classifyError(named('InterruptedError')).errorClass).toBe('unknown');
    expect(classifyError(withFields('x', { code: 'CANCELLED' })).errorClass).toBe('unknown');
  });
});
