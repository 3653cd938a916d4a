import { describe, expect, it, vi } from 'vitest';
import * as copyA from '../../../src/index.js';

// A second, separately evaluated copy of the package, as a duplicated node_modules would give.
async function secondCopy(): Promise<typeof copyA> {
  vi.resetModules();
  const copyB = (await import('../../../src/index.js')) as typeof copyA;
  expect(copyB.StepTimeoutError).not.toBe(copyA.StepTimeoutError);
  return copyB;
}

describe('Lifeline errors carry their class', () => {
  it.each([
    [new copyA.StepTimeoutError('s', 5), 'STEP_TIMEOUT', 'timeout'],
    [new copyA.RunCancelledError('r1'), 'CANCELLED', 'cancelled'],
    [new copyA.InterruptedError('shutdown'), 'INTERRUPTED', 'interrupted'],
    [new copyA.InvalidOptionsError('bad'), 'INVALID_OPTIONS', 'configuration'],
    [new copyA.SerializationError('Output', '$.a', 'a function'), 'NOT_SERIALIZABLE', 'validation'],
    [new copyA.PayloadTooLargeError('Output', 10, 5), 'PAYLOAD_TOO_LARGE', 'validation'],
    [new copyA.InputValidationError('wf', 'input', 'x'), 'VALIDATION', 'validation'],
    [new copyA.NonDeterminismError('r1', 'a#0', 'b#0'), 'NON_DETERMINISM', 'logic'],
    [new copyA.StoreUnavailableError('down'), 'STORE_UNAVAILABLE', 'transient'],
    [new copyA.StepFailedError('s#0', 'rate_limit', 3, 'slow down'), 'STEP_FAILED', 'rate_limit'],
    [new copyA.ClassifiedError('m', { errorClass: 'dependency' }), 'CLASSIFIED', 'dependency'],
  ])('%s', (error, code, errorClass) => {
    expect(error).toMatchObject({ code, errorClass });
    expect(copyA.classifyError(error).errorClass).toBe(errorClass);
  });

  it('the class on the error decides ahead of user rules', () => {
    const everythingTransient = () => 'transient' as const;
    expect(copyA.classifyError(new copyA.SerializationError('Output', '$', 'x'), [everythingTransient])).toMatchObject({
      errorClass: 'validation',
      retryable: false,
      reason: 'code NOT_SERIALIZABLE',
    });
  });
});

describe('instanceof across two copies of the package', () => {
  it('an error from the other copy is an instance of the same class and of LifelineError', async () => {
    const copyB = await secondCopy();
    const fromB = new copyB.StepTimeoutError('fetch#0', 100);
    expect(fromB instanceof copyA.StepTimeoutError).toBe(true);
    expect(fromB instanceof copyA.LifelineError).toBe(true);
    expect(fromB instanceof Error).toBe(true);
    expect(fromB instanceof copyA.RunCancelledError).toBe(false);
    expect(new copyA.LeaseLostError('r1') instanceof copyB.LeaseLostError).toBe(true);
    expect(new copyA.LeaseLostError('r1') instanceof copyB.StoreUnavailableError).toBe(false);
  });

  it('errors that are not Lifeline errors are not instances, whatever their name', async () => {
    const copyB = await secondCopy();
    const impostor = Object.assign(new Error('x'), { name: 'StepTimeoutError', code: 'STEP_TIMEOUT', errorClass: 'timeout' });
    expect(impostor instanceof copyB.StepTimeoutError).toBe(false);
    expect(impostor instanceof copyB.LifelineError).toBe(false);
    expect((null as unknown) instanceof copyB.LifelineError).toBe(false);
    expect(copyB.classifyError(impostor).reason).not.toBe('code STEP_TIMEOUT');
  });

  it('the other copy classifies by the class on the error, ClassifiedError hints included', async () => {
    const copyB = await secondCopy();
    const fromA = new copyA.ClassifiedError('overloaded', { errorClass: 'rate_limit', nonRetryable: true, retryAfterMs: 50 });
    expect(copyB.classifyError(fromA)).toEqual({ errorClass: 'rate_limit', retryable: false, retryAfterMs: 50, reason: 'ClassifiedError' });
    expect(copyB.classifyError(new copyA.NonDeterminismError('r', 'a#0', 'b#0')).errorClass).toBe('logic');
  });

  it('a user subclass keeps ordinary instanceof', () => {
    class QuotaError extends copyA.ClassifiedError {}
    const e = new QuotaError('quota', { errorClass: 'rate_limit' });
    expect(e instanceof QuotaError).toBe(true);
    expect(e instanceof copyA.ClassifiedError).toBe(true);
    expect(new copyA.ClassifiedError('x', { errorClass: 'logic' }) instanceof QuotaError).toBe(false);
  });
});
