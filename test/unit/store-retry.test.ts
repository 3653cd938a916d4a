import { describe, expect, it } from 'vitest';
import { retryWhileUnavailable } from '../../src/engine/store-retry.js';
import { ManualClock } from '../../src/time/clock.js';
import { StepAlreadyCommittedError, StoreUnavailableError, LeaseLostError } from '../../src/errors/store-errors.js';

function scripted(outcomes: Array<Error | string>) {
  let i = 0;
  const call = async () => {
    const next = outcomes[i++];
    if (next instanceof Error) throw next;
    return next;
  };
  return { call, calls: () => i };
}

describe('retryWhileUnavailable', () => {
  it('retries with growing delays while the store is unavailable, then returns', async () => {
    const clock = new ManualClock();
    const delays: number[] = [];
    const s = scripted([new StoreUnavailableError('down'), new StoreUnavailableError('down'), 'ok']);
    const p = retryWhileUnavailable(s.call, { clock, onRetry: (_e, d) => delays.push(d) });
    await clock.advance(49);
    expect(s.calls()).toBe(1);
    await clock.advance(1);
    expect(s.calls()).toBe(2);
    await clock.advance(100);
    expect(await p).toBe('ok');
    expect(delays).toEqual([50, 100]);
  });

  it('treats "already committed" after an ambiguous failure as landed, but not on the first try', async () => {
    const clock = new ManualClock();
    const landed = scripted([new StoreUnavailableError('reset'), new StepAlreadyCommittedError('r', 's#0')]);
    const p = retryWhileUnavailable(landed.call, { clock, landedIf: (e) => e instanceof StepAlreadyCommittedError });
    await clock.advance(50);
    await expect(p).resolves.toBeUndefined();
    const first = scripted([new StepAlreadyCommittedError('r', 's#0')]);
    await expect(retryWhileUnavailable(first.call, { clock, landedIf: (e) => e instanceof StepAlreadyCommittedError })).rejects.toThrow(
      StepAlreadyCommittedError,
    );
  });

  it('passes other errors through and stops when aborted', async () => {
    const clock = new ManualClock();
    await expect(retryWhileUnavailable(scripted([new LeaseLostError('r')]).call, { clock })).rejects.toThrow(LeaseLostError);
    const abort = new AbortController();
    const p = retryWhileUnavailable(scripted([new StoreUnavailableError('x'), 'never']).call, { clock, signal: abort.signal });
    abort.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
  });
});
