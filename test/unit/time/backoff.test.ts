import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/time/backoff.js';

describe('Backoff', () => {
  it('doubles from the first delay up to the cap, and starts over after reset()', () => {
    const backoff = new Backoff(100, 1000);
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
