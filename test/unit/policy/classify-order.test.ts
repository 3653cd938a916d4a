import { describe, expect, it } from 'vitest';
import { ClassifiedError } from '../../../src/policy/classified-error.js';
import { classifyError, type ClassifierRule } from '../../../src/policy/classify.js';

const rateLimited = (): Error => Object.assign(new Error('slow down'), { status: 429, headers: { 'retry-after': '9' } });

describe('classification order', () => {
  it('a ClassifiedError decides, ahead of user rules and built-ins', () => {
    const e = new ClassifiedError('HTTP 500 but my fault', { errorClass: 'transient', nonRetryable: true, retryAfterMs: 10 });
    Object.assign(e, { status: 500 });
    const rule: ClassifierRule = () => 'logic';
    expect(classifyError(e, [rule])).toEqual({ errorClass: 'transient', retryable: false, retryAfterMs: 10, reason: 'ClassifiedError' });
  });

  it('a ClassifiedError is found in the cause chain', () => {
    const e = new Error('wrapped', { cause: new ClassifiedError('bad input', { errorClass: 'validation' }) });
    expect(classifyError(e)).toMatchObject({ errorClass: 'validation', retryable: false, reason: 'cause: ClassifiedError' });
  });

  it('user rules come before built-ins; first non-null wins; retryable defaults from class', () => {
    const skip: ClassifierRule = () => null;
    const never: ClassifierRule = () => undefined;
    const mine: ClassifierRule = (e) => (e instanceof Error && e.message === 'slow down' ? 'dependency' : null);
    const late: ClassifierRule = () => 'logic';
    expect(classifyError(rateLimited(), [skip, never, mine, late])).toEqual({ errorClass: 'dependency', retryable: true, reason: 'rule mine' });
  });

  it('a rule may return a partial classification', () => {
    const rules: ClassifierRule[] = [() => ({ errorClass: 'validation', retryable: true, retryAfterMs: 5, reason: 'flaky LLM JSON' })];
    expect(classifyError(new Error('x'), rules)).toEqual({ errorClass: 'validation', retryable: true, retryAfterMs: 5, reason: 'flaky LLM JSON' });
    expect(classifyError(new Error('x'), [() => ({ errorClass: 'configuration' })])).toEqual({
      errorClass: 'configuration',
      retryable: false,
      reason: 'rule #1',
    });
  });

  it('a throwing or nonsensical rule is skipped', () => {
    const broken: ClassifierRule = () => {
      throw new Error('rule bug');
    };
    const garbage = (() => 'nonsense') as unknown as ClassifierRule;
    expect(classifyError(rateLimited(), [broken, garbage], 0)).toMatchObject({ errorClass: 'rate_limit', retryAfterMs: 9000 });
  });

  it('falls back to unknown, retryable', () => {
    expect(classifyError(new Error('something odd'))).toEqual({ errorClass: 'unknown', retryable: true, reason: 'no rule matched' });
  });
});

describe('never throws', () => {
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('getter trap');
      },
      getPrototypeOf() {
        throw new Error('proto trap');
      },
      ownKeys() {
        throw new Error('keys trap');
      },
    },
  );
  const throwingGetters = Object.defineProperties(new Error('x'), {
    code: {
      get: () => {
        throw new Error('no code');
      },
    },
    status: {
      get: () => {
        throw new Error('no status');
      },
    },
    name: {
      get: () => {
        throw new Error('no name');
      },
    },
  });
  const cyclic: Error & { cause?: unknown } = new Error('loop');
  cyclic.cause = cyclic;
  const brokenHeaders = Object.assign(new Error('x'), {
    status: 429,
    headers: {
      get: () => {
        throw new Error('bad get');
      },
    },
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a symbol', Symbol('s')],
    ['a plain object', { foo: 1 }],
    ['a proxy with throwing traps', hostile],
    ['throwing getters', throwingGetters],
    ['a cyclic cause', cyclic],
    ['broken headers', brokenHeaders],
    ['a function', () => 1],
  ])('%s', (_label, value) => {
    const c = classifyError(value);
    expect(typeof c.errorClass).toBe('string');
    expect(typeof c.retryable).toBe('boolean');
  });

  it('classifies a thrown string by its text', () => {
    expect(classifyError('socket hang up').errorClass).toBe('transient');
    expect(classifyError('whatever')).toMatchObject({ errorClass: 'unknown', retryable: true });
  });

  it('broken headers still classify as a rate limit, without a wait', () => {
    const c = classifyError(brokenHeaders);
    expect(c.errorClass).toBe('rate_limit');
    expect(c.retryAfterMs).toBeUndefined();
  });
});
