import { describe, expect, it } from 'vitest';
import { canonicalText, fingerprint, normalizeText } from '../../src/agent/fingerprint.js';
import { loopGuard } from '../../src/agent/loop-guard.js';
import { LoopDetectedError } from '../../src/errors/loop-detected-error.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';

describe('fingerprint', () => {
  it('strips ids, UUIDs, hex, timestamps and id-like numbers, and ignores key order', () => {
    const a = {
      answer: 'Order 1234567 shipped at 2026-11-30T10:00:00Z (trace 9f86d081884c7d65, req 1b4e28ba-2fa1-11d2-883f-0016d3cca427)',
      id: 'x1',
      requestId: 'r-9',
      createdAt: 1764496800000,
      score: 3,
      tokens: 1_764_496_800_123,
    };
    const b = {
      score: 3,
      tokens: 1_764_496_999_999,
      createdAt: 1764497000000,
      requestId: 'r-10',
      id: 'x2',
      answer: 'Order 7654321 shipped at 2026-12-01T11:22:33.456+01:00 (trace 0a1b2c3d4e5f6a7b, req 6fa459ea-ee8a-3ca4-894e-db77e160355e)',
    };
    expect(canonicalText(a)).toBe('{"answer":"Order <n> shipped at <time> (trace <hex>, req <uuid>)","score":3,"tokens":"<n>"}');
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint({ ...a, score: 4 })).not.toBe(fingerprint(a));
    expect(fingerprint('deadface words')).not.toBe(fingerprint('<hex> words')); // a word of a-f letters is no digest
    expect(canonicalText({ note: 'x', trace: 'y' }, { ignoreKeys: ['trace'] })).toBe('{"note":"x"}');
  });
});

describe('loopGuard', () => {
  it('the same value twice (default repeats 2) is a repeat; escalation goes hint, fallback, then fail (logic)', () => {
    const guard = loopGuard();
    expect(guard.check({ draft: 'v1', at: '2026-11-30T10:00:00Z' })).toEqual({ kind: 'ok', detail: '', level: null, detections: 0 });
    const first = guard.check({ draft: 'v1', at: '2026-11-30T10:05:00Z' });
    expect(first).toMatchObject({ kind: 'repeat', detail: 'the same value 2 times in a row', level: 'hint', detections: 1 });
    expect(first.kind !== 'ok' && first.hint).toContain('You are repeating yourself (the same value 2 times in a row)');
    expect(guard.check({ draft: 'v1' })).toMatchObject({ kind: 'repeat', level: 'fallback', detections: 2 });
    let error: unknown;
    try {
      guard.check({ draft: 'v1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoopDetectedError);
    expect(error).toMatchObject({
      errorClass: 'logic',
      message: 'Loop guard "loop" detected a loop (repeat: the same value 2 times in a row); detection 3 escalates to fail.',
    });
  });

  it('detects alternation with period 2 and 3, but not a varied sequence', () => {
    const two = loopGuard({ escalation: ['hint'] });
    expect(['A', 'B', 'A'].map((v) => two.check(v).kind)).toEqual(['ok', 'ok', 'ok']);
    expect(two.check('B')).toMatchObject({ kind: 'alternation', detail: 'alternating between 2 values, 2 cycles' });
    const three = loopGuard({ escalation: ['hint'] });
    expect(['A', 'B', 'C', 'A', 'B'].map((v) => three.check(v).kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(three.check('C')).toMatchObject({ kind: 'alternation', detail: 'alternating between 3 values, 2 cycles' });
    const off = loopGuard({ maxPeriod: 1 });
    expect(['A', 'B', 'A', 'B'].map((v) => off.check(v).kind)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const varied = loopGuard();
    expect(['A', 'B', 'C', 'D', 'A', 'C', 'B', 'D'].map((v) => varied.check(v).kind)).toEqual(Array(8).fill('ok'));
  });

  it('the same action with the same result, even apart; the same error in a row; no progress of the state', () => {
    const actions = loopGuard({ escalation: ['hint'] });
    expect(actions.check({ rows: 0 }, { action: { tool: 'search', q: 'x' } }).kind).toBe('ok');
    expect(actions.check({ rows: 5 }, { action: { tool: 'search', q: 'y' } }).kind).toBe('ok');
    expect(actions.check({ rows: 0 }, { action: { tool: 'search', q: 'x' } })).toMatchObject({
      kind: 'same_action_result',
      detail: 'the same action gave the same result 2 times',
    });

    const errors = loopGuard({ escalation: ['hint'] });
    expect(errors.check('try 1', { error: new Error('rate limited, request 8f3a9c2d1e') }).kind).toBe('ok');
    expect(errors.check('try 2', { error: new Error('rate limited, request 1b2c3d4e5f') })).toMatchObject({
      kind: 'same_error',
      detail: 'the same error 2 times in a row',
    });

    const state = loopGuard({ noProgress: 3, escalation: ['hint'] });
    expect(state.check('plan a', { state: { done: 2 } }).kind).toBe('ok');
    expect(state.check('plan b', { state: { done: 2 } }).kind).toBe('ok');
    expect(state.check('plan c', { state: { done: 2 } })).toMatchObject({ kind: 'no_progress', detail: 'the state did not change over 3 checks' });
    expect(state.check('plan d', { state: { done: 3 } }).kind).toBe('ok');
  });

  it('a pluggable similarity makes near-identical values a repeat', () => {
    const words = (s: string) => new Set(s.split(/\W+/).filter(Boolean));
    const jaccard = (a: string, b: string) => {
      const x = words(a);
      const y = words(b);
      const inter = [...x].filter((w) => y.has(w)).length;
      return inter / (x.size + y.size - inter);
    };
    const exact = loopGuard();
    const similar = loopGuard({ similarity: jaccard, threshold: 0.8, escalation: ['hint'] });
    const first = 'the report is ready and contains five charts about the sales of this quarter';
    const second = 'the report is ready and contains five charts about the sales of the quarter';
    expect([exact.check(first).kind, exact.check(second).kind]).toEqual(['ok', 'ok']);
    expect([similar.check(first).kind, similar.check(second).kind]).toEqual(['ok', 'repeat']);
  });

  it('reset() forgets the history and the detections', () => {
    const guard = loopGuard();
    guard.check('x');
    guard.check('x');
    guard.reset();
    expect(guard.detections).toBe(0);
    expect(guard.check('x').kind).toBe('ok');
  });

  it.each([
    [{ repeats: 1 }, 'Invalid option loopGuard.repeats: must be an integer from 2 to 1000 (got 1)'],
    [{ maxPeriod: 0 }, 'Invalid option loopGuard.maxPeriod: must be an integer from 1 to 50 (got 0)'],
    [{ cycles: 1.5 }, 'Invalid option loopGuard.cycles: must be an integer from 2 to 100 (got 1.5)'],
    [{ noProgress: -3 }, 'Invalid option loopGuard.noProgress: must be an integer from 2 to 1000 (got -3)'],
    [{ escalation: [] }, 'Invalid option loopGuard.escalation: must list at least one level of hint, fallback, human, fail (got [])'],
    [{ escalation: ['hint', 'page'] }, 'Invalid option loopGuard.escalation[1]: must be one of "hint", "fallback", "human", "fail" (got "page")'],
    [{ similarity: (a: string) => a.length, threshold: 2 }, 'Invalid option loopGuard.threshold: must be a number from 0 to 1 (got 2)'],
    [{ threshold: 0.5 }, 'Invalid option loopGuard.threshold: is used only with loopGuard.similarity (got no similarity)'],
    [{ window: 5 }, 'Invalid option loopGuard.window: must be at least 8 to hold repeats, maxPeriod x cycles and noProgress (got 5)'],
    [
      { repeat: 3 },
      'Invalid option loopGuard.repeat: unknown option (known: repeats, maxPeriod, cycles, noProgress, window, escalation, hint, similarity, threshold, ignoreKeys, signal)',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => loopGuard(options as never)).toThrow(new InvalidOptionsError(message));
  });
});

describe('normalizeText', () => {
  it.each([
    ['id 0x9f86d081884c7d65 and 9F86D081884C7D65', 'id <hex> and <hex>'],
    ['call 555-123-4567 or pick 2-3 items, or 12345', 'call 555-123-4567 or pick 2-3 items, or 12345'],
    ['on 2026-11-30, at 2026-11-30 10:00, v2.1.0 build 1234567', 'on <time>, at <time>, v2.1.0 build <n>'],
    ['decade-2020s and cafebabe and deadbeef1', 'decade-2020s and cafebabe and <hex>'],
  ])('%s', (text, expected) => {
    expect(normalizeText(text)).toBe(expected);
  });
});
