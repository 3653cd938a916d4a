// The thresholds of the stuck verdicts are checked up front, naming the field and its bounds; ETA
// ranges read as people say them.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTIVITY_OPTIONS, resolveActivityOptions } from '../../../src/options/activity-options.js';
import { checkStates } from '../../../src/observe/run-overview.js';
import { etaRange, percentile } from '../../../src/observe/progress.js';
import { shortDuration } from '../../../src/observe/format.js';

describe('activity thresholds', () => {
  it('fills defaults and refuses bad values naming the field and its bounds', () => {
    expect(resolveActivityOptions(undefined)).toEqual(DEFAULT_ACTIVITY_OPTIONS);
    expect(resolveActivityOptions({ noProgressMs: 60_000 })).toEqual({ ...DEFAULT_ACTIVITY_OPTIONS, noProgressMs: 60_000 });
    expect(() => resolveActivityOptions({ noProgressMs: -1 })).toThrow(
      'Invalid option activity.noProgressMs: must be an integer from 0 to 31536000000 (got -1)',
    );
    expect(() => resolveActivityOptions({ stuckAfterClaims: 0 })).toThrow(
      'Invalid option activity.stuckAfterClaims: must be an integer from 1 to 1000000 (got 0)',
    );
    expect(() => resolveActivityOptions({ unclaimedMS: 5 })).toThrow(
      'Invalid option activity.unclaimedMS: unknown option (known: stuckAfterClaims, expiredLeaseMs, noProgressMs, unclaimedMs)',
    );
    expect(() => checkStates(['retrying', 'hung'])).toThrow(
      'Invalid option states: unknown state "hung" (known: pending, running, retrying, stuck, waiting, sleeping, deferred, parked, completed, failed, cancelled)',
    );
  });
});

describe('ETA text', () => {
  it('gives ranges in the unit of the p90, "~" when both ends round alike, overdue when even the p90 passed', () => {
    expect(etaRange({ p50Ms: 12.4 * 60_000, p90Ms: 17.2 * 60_000 })).toBe('12–18m');
    expect(etaRange({ p50Ms: 40_000, p90Ms: 80_000 })).toBe('40–80s');
    expect(etaRange({ p50Ms: 40_000, p90Ms: 150_000 })).toBe('40s–3m');
    expect(etaRange({ p50Ms: 5 * 60_000, p90Ms: 5 * 60_000 })).toBe('~5m');
    expect(etaRange({ p50Ms: 2 * 3_600_000, p90Ms: 3.5 * 3_600_000 })).toBe('2–4h');
    expect(etaRange({ p50Ms: 0, p90Ms: 0 })).toBe('overdue');
    expect(shortDuration(7 * 60_000 + 5000)).toBe('7m 5s');
    expect(shortDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d 4h');
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([7], 90)).toBe(7);
    expect(() => percentile([], 50)).toThrow('percentile of no values');
  });
});
