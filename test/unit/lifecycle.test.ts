import { describe, expect, it } from 'vitest';
import { InvalidRunStateError } from '../../src/errors/store-errors.js';
import { decide, isClaimable, releaseStatus, sqlClaimable, sqlStatusIn, statusesKept, statusesMovedTo } from '../../src/store/lifecycle.js';

describe('run lifecycle spec', () => {
  it('moves each status only as its action says', () => {
    expect(decide('claim', 'r', 'pending')).toBe('running');
    expect(decide('claim', 'r', 'parked')).toBeNull();
    expect(decide('claim', 'r', 'completed')).toBeNull();
    expect(decide('park', 'r', 'running')).toBe('parked');
    expect(decide('park', 'r', 'completed')).toBeNull();
    expect(decide('release_sleeping', 'r', 'running')).toBe('sleeping');
    expect(decide('release_sleeping', 'r', 'pending')).toBeNull();
    expect(decide('finish_failed', 'r', 'running')).toBe('failed');
    expect(decide('retry', 'r', 'failed')).toBe('pending');
    expect(decide('cancel', 'r', 'parked')).toBe('cancelled');
    expect(decide('cancel', 'r', 'running')).toBe('running');
    expect(decide('cancel', 'r', 'completed')).toBeNull();
    expect(decide('wake', 'r', 'parked')).toBe('pending');
    expect(decide('wake', 'r', 'sleeping')).toBe('sleeping');
    expect(decide('wake', 'r', 'pending')).toBeNull();
    expect(decide('signal', 'r', 'waiting')).toBe('pending');
    expect(decide('signal', 'r', 'parked')).toBe('parked');
    expect(decide('child_finished', 'r', 'waiting')).toBe('pending');
    expect(decide('child_finished', 'r', 'sleeping')).toBeNull();
  });

  it('refuses retry and signal with InvalidRunStateError and the reason', () => {
    expect(() => decide('retry', 'r1', 'completed')).toThrow(new InvalidRunStateError('r1', 'completed', 'retry', 'Only a failed run can be retried'));
    expect(() => decide('retry', 'r1', 'pending')).toThrow('Cannot retry run r1: it is pending. Only a failed run can be retried.');
    expect(() => decide('signal', 'r1', 'cancelled')).toThrow(
      'Cannot signal run r1: it is cancelled. A finished run (completed, failed or cancelled) takes no signals.',
    );
  });

  it('a release whose wake-up already happened goes to pending', () => {
    expect(releaseStatus('waiting', true)).toBe('pending');
    expect(releaseStatus('sleeping', true)).toBe('pending');
    expect(releaseStatus('sleeping', false)).toBe('sleeping');
    expect(releaseStatus('pending', true)).toBe('pending');
  });

  it('claimability follows status, wake time and lease expiry', () => {
    expect(isClaimable({ status: 'pending', wakeAt: null, lease: null }, 0)).toBe(true);
    expect(isClaimable({ status: 'sleeping', wakeAt: 10, lease: null }, 9)).toBe(false);
    expect(isClaimable({ status: 'sleeping', wakeAt: 10, lease: null }, 10)).toBe(true);
    expect(isClaimable({ status: 'waiting', wakeAt: null, lease: null }, 1e15)).toBe(false);
    expect(isClaimable({ status: 'running', wakeAt: null, lease: { expiresAt: 100 } }, 99)).toBe(false);
    expect(isClaimable({ status: 'running', wakeAt: null, lease: { expiresAt: 100 } }, 100)).toBe(true);
    expect(isClaimable({ status: 'completed', wakeAt: null, lease: null }, 100)).toBe(false);
    expect(isClaimable({ status: 'parked', wakeAt: 0, lease: null }, 100)).toBe(false);
  });

  it('generates the SQL status sets the stores use', () => {
    expect(sqlClaimable('@now', '@lease')).toBe(`(status IN ('pending')
  OR (status IN ('sleeping', 'waiting') AND wake_at <= @now)
  OR (status IN ('running') AND lease_expires_at <= @lease))`);
    expect(sqlStatusIn('retry')).toBe("status IN ('failed')");
    expect(sqlStatusIn('child_finished', 'p.status')).toBe("p.status IN ('waiting')");
    expect(statusesMovedTo('cancel', 'cancelled')).toEqual(['pending', 'sleeping', 'waiting', 'parked']);
    expect(statusesKept('cancel')).toEqual(['running']);
    expect(statusesKept('wake')).toEqual(['sleeping', 'waiting']);
    expect(statusesMovedTo('wake', 'pending')).toEqual(['parked']);
    expect(statusesMovedTo('signal', 'pending')).toEqual(['waiting']);
  });
});
