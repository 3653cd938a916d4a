// The system clock's timers on vitest's fake timers, which reproduce setTimeout's limit: a delay
// over 2^31-1 ms fires after 1 ms. Timers longer than that must be chained, and cancellable at
// any link of the chain.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/time/clock.js';

const MAX_TIMER_MS = 2 ** 31 - 1;
const MONTH_MS = 30 * 24 * 3600 * 1000; // > 2^31-1 (about 24.8 days)

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock timers', () => {
  it('fires a timer longer than setTimeout allows at its due time, not before', () => {
    let fired = 0;
    systemClock.setTimer(MONTH_MS, () => fired++);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(MONTH_MS - MAX_TIMER_MS - 2);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(3 * MONTH_MS);
    expect(fired).toBe(1);
  });

  it('cancels a long timer before and after its first link', () => {
    let fired = 0;
    systemClock.setTimer(MONTH_MS, () => fired++).cancel();
    const later = systemClock.setTimer(MONTH_MS, () => fired++);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1); // the second link is armed now
    later.cancel();
    vi.advanceTimersByTime(2 * MONTH_MS);
    expect(fired).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sleep resolves after a long delay, not at once', async () => {
    let woke = false;
    const sleeping = systemClock.sleep(MONTH_MS).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(MONTH_MS - 1);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(woke).toBe(true);
  });
});
