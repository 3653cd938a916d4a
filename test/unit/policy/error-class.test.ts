import { describe, expect, it } from 'vitest';
import { LifelineError } from '../../../src/errors/lifeline-error.js';
import { StepTimeoutError } from '../../../src/errors/timeout-errors.js';
import { ClassifiedError } from '../../../src/policy/classified-error.js';
import { ERROR_CLASSES, isRetryableClass, type ErrorClass } from '../../../src/errors/error-class.js';

describe('error classes', () => {
  it('lists every class once', () => {
    expect(ERROR_CLASSES).toEqual([
      'transient',
      'rate_limit',
      'timeout',
      'dependency',
      'configuration',
      'validation',
      'logic',
      'interrupted',
      'cancelled',
      'unknown',
    ]);
    expect(Object.isFrozen(ERROR_CLASSES)).toBe(true);
  });

  it.each<[ErrorClass, boolean]>([
    ['transient', true],
    ['rate_limit', true],
    ['timeout', true],
    ['dependency', true],
    ['interrupted', true],
    ['unknown', true],
    ['configuration', false],
    ['validation', false],
    ['logic', false],
    ['cancelled', false],
  ])('%s retryable: %s', (c, expected) => {
    expect(isRetryableClass(c)).toBe(expected);
  });
});

describe('ClassifiedError', () => {
  it('defaults nonRetryable from the class', () => {
    const t = new ClassifiedError('blip', { errorClass: 'transient' });
    expect(t).toBeInstanceOf(LifelineError);
    expect(t).toMatchObject({ code: 'CLASSIFIED', name: 'ClassifiedError', message: 'blip', errorClass: 'transient', nonRetryable: false });
    expect(t.retryAfterMs).toBeUndefined();
    expect(new ClassifiedError('bad', { errorClass: 'validation' }).nonRetryable).toBe(true);
  });

  it('keeps explicit nonRetryable, retryAfterMs and cause', () => {
    const cause = new Error('root');
    const e = new ClassifiedError('x', { errorClass: 'rate_limit', nonRetryable: true, retryAfterMs: 1500, cause });
    expect(e).toMatchObject({ nonRetryable: true, retryAfterMs: 1500, cause });
  });

  it('drops a nonsensical retryAfterMs instead of throwing', () => {
    expect(new ClassifiedError('x', { errorClass: 'transient', retryAfterMs: -1 }).retryAfterMs).toBeUndefined();
    expect(new ClassifiedError('x', { errorClass: 'transient', retryAfterMs: NaN }).retryAfterMs).toBeUndefined();
  });
});

describe('StepTimeoutError', () => {
  it('names the step and the limit', () => {
    const e = new StepTimeoutError('fetch-page', 5000);
    expect(e).toBeInstanceOf(LifelineError);
    expect(e).toMatchObject({ code: 'STEP_TIMEOUT', name: 'StepTimeoutError', stepId: 'fetch-page', timeoutMs: 5000 });
    expect(e.message).toBe('Step "fetch-page" timed out after 5000 ms.');
  });
});
