// The stall chaos test forgives a late start only when the test's own stall landed between the
// deadline check and the body (stall-window.ts); every other late start still fails it.
import { describe, expect, it } from 'vitest';
import { classifyLateStarts, type Check, type LateStart } from './stall-window.js';

const MARGIN = 250;
const check: Check = { key: 'r:s6#0', pid: 7, attempt: 2, checkedAt: 1_000, wallAt: 50_000 };
const stall = { pid: 7, stoppedAt: 50_001, continuedAt: 52_010 };
const late = (over: Partial<LateStart> = {}): LateStart => ({ key: 'r:s6#0', pid: 7, attempt: 2, bodyAt: 3_012, wallAt: 52_012, ...over });

describe('late starts in the stall chaos test', () => {
  it('are inside the documented window when a stall of their process lay between the check and the body', () => {
    const [verdict] = classifyLateStarts([late()], [check], [stall], MARGIN);
    expect(verdict).toEqual({
      inWindow: true,
      gapMs: 2_012,
      stall,
      evidence: 'check at 50000.0, body at 52012.0 (wall ms), 2012.0 ms apart, stopped 50001..52010',
    });
  });

  it('are real re-executions when the body followed its check at once (the stall hit before the check)', () => {
    const [verdict] = classifyLateStarts([late({ bodyAt: 1_001, wallAt: 52_012 })], [{ ...check, checkedAt: 1_000, wallAt: 52_011 }], [stall], MARGIN);
    expect(verdict).toEqual({
      inWindow: false,
      gapMs: 1,
      evidence: 'check at 52011.0, body at 52012.0 (wall ms), 1.0 ms apart: not longer than the margin (250 ms)',
    });
  });

  it('are real re-executions when no stall of their process lay in between, or the check is missing', () => {
    const other = { ...stall, pid: 8 };
    expect(classifyLateStarts([late()], [check], [other], MARGIN)[0]).toMatchObject({
      inWindow: false,
      evidence: expect.stringMatching(/with no stall of that process in between$/),
    });
    expect(classifyLateStarts([late()], [], [stall], MARGIN)[0]).toEqual({
      inWindow: false,
      gapMs: undefined,
      evidence: 'no deadline check recorded for pid 7 attempt 2',
    });
  });

  it('count one stall for one late start only', () => {
    const second = late({ key: 'r:s7#0' });
    const verdicts = classifyLateStarts([late(), second], [check, { ...check, key: 'r:s7#0' }], [stall], MARGIN);
    expect(verdicts.map((v) => v.inWindow)).toEqual([true, false]);
  });
});
