import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError } from '../../../../src/errors/bulkhead-rejected-error.js';
import { classifyError } from '../../../../src/policy/classify.js';
import { bulkhead } from '../../../../src/policy/values/bulkhead.js';
import type { PolicyEvent } from '../../../../src/policy/values/events.js';
import { flushAsync } from '../../../../src/time/clock.js';

describe('bulkhead policy value', () => {
  it('runs at most maxConcurrent calls, queues maxQueue more in order, and rejects the rest with a clear error', async () => {
    const policy = bulkhead({ maxConcurrent: 2, maxQueue: 1 });
    const events: PolicyEvent[] = [];
    policy.onEvent((e) => events.push(e));
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const call = (name: string) =>
      policy.execute(
        () =>
          new Promise<string>((r) => {
            started.push(name);
            release.set(name, () => r(name));
          }),
      );
    const a = call('a');
    const b = call('b');
    const c = call('c');
    const d = await call('d').catch((e: unknown) => e);
    await flushAsync();
    expect(started).toEqual(['a', 'b']);
    expect(d).toBeInstanceOf(BulkheadRejectedError);
    expect((d as Error).message).toBe('Bulkhead full: 2 calls running (maxConcurrent 2) and 1 queued (maxQueue 1).');
    expect(classifyError(d).errorClass).toBe('rate_limit');
    expect(policy.running).toBe(2);
    expect(policy.queued).toBe(1);
    release.get('a')?.();
    await expect(a).resolves.toBe('a');
    await flushAsync();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(policy.running).toBe(2);
    release.get('b')?.();
    release.get('c')?.();
    await Promise.all([b, c]);
    expect(policy.running).toBe(0);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['bulkhead.queued', { queued: 1 }],
      ['bulkhead.rejected', { active: 2, queued: 1 }],
    ]);
  });

  it('frees the slot of a call that throws, and a queued call whose signal aborts leaves the queue', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    await expect(policy.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(policy.running).toBe(0);
    let release: () => void = () => {};
    const first = policy.execute(() => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    let ran = false;
    const queued = policy.execute(() => (ran = true), controller.signal).catch((e: unknown) => e);
    expect(policy.queued).toBe(1);
    controller.abort(new Error('gave up waiting'));
    expect(((await queued) as Error).message).toBe('gave up waiting');
    expect(policy.queued).toBe(0);
    release();
    await first;
    expect(ran).toBe(false);
    expect(policy.running).toBe(0);
  });

  it('does not queue a call whose signal already aborted (composed inside another policy)', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    let release: () => void = () => {};
    const first = policy.execute(() => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    controller.abort(new Error('already gone'));
    await expect(policy.run(() => 'ran', { signal: controller.signal, attempt: 1 })).rejects.toThrow('already gone');
    expect(policy.queued).toBe(0);
    release();
    await first;
  });

  it('checks its options up front', () => {
    expect(() => bulkhead({ maxConcurrent: 0 })).toThrow('Invalid option bulkhead.maxConcurrent: must be an integer from 1 to 1000000 (got 0)');
    expect(() => bulkhead({} as never)).toThrow('Invalid option bulkhead.maxConcurrent: must be an integer from 1 to 1000000 (got undefined)');
    expect(() => bulkhead({ maxConcurrent: 1, maxQueue: -1 })).toThrow('Invalid option bulkhead.maxQueue: must be an integer from 0 to 1000000 (got -1)');
  });
});
