// Tells the two kinds of "a committed step ran again" apart in the stall chaos test. The fenced
// start leaves one documented window (docs/decisions/2026-11-30-fenced-start-window.md): a stall
// longer than the safety margin between the engine's deadline check and the body's first
// instruction. The test's own SIGSTOP can land there. Such a body began long after its check,
// while its process was stopped by the test in between; anything else is a real re-execution.
import type { Stall } from './chaos-driver.js';

/** The engine's deadline check that let one execution start (the chaos fixture's "check" line). */
export interface Check {
  key: string;
  pid: number;
  attempt: number;
  /** Monotonic ms of the check in its process. */
  checkedAt: number;
  /** Wall ms of the check (its process's timeOrigin + checkedAt). */
  wallAt: number;
}

/** A body that began after another worker committed its step. */
export interface LateStart {
  key: string;
  pid: number;
  attempt: number;
  /** Monotonic ms of the body's first instruction in its process. */
  bodyAt: number;
  /** Wall ms of the body's first instruction. */
  wallAt: number;
}

export type Verdict = { inWindow: true; gapMs: number; stall: Stall; evidence: string } | { inWindow: false; gapMs: number | undefined; evidence: string };

/**
 * A late start is inside the documented window when its check and its body are more than
 * `marginMs` apart and one of the test's stalls of its process lay between the two (stopped
 * before the body began, continued after the check). One stall can account for one late start
 * only: the process was stopped in one place, and the body follows its check without yielding.
 */
export function classifyLateStarts(lateStarts: readonly LateStart[], checks: readonly Check[], stalls: readonly Stall[], marginMs: number): Verdict[] {
  const used = new Set<Stall>();
  return lateStarts.map((late) => {
    const check = checks.find((c) => c.key === late.key && c.pid === late.pid && c.attempt === late.attempt);
    if (!check) return { inWindow: false, gapMs: undefined, evidence: `no deadline check recorded for pid ${late.pid} attempt ${late.attempt}` };
    const gapMs = late.bodyAt - check.checkedAt;
    const stall = stalls.find((s) => !used.has(s) && s.pid === late.pid && s.stoppedAt <= late.wallAt && s.continuedAt >= check.wallAt);
    const where = `check at ${check.wallAt.toFixed(1)}, body at ${late.wallAt.toFixed(1)} (wall ms), ${gapMs.toFixed(1)} ms apart`;
    if (gapMs <= marginMs || !stall) {
      const why = gapMs <= marginMs ? `not longer than the margin (${marginMs} ms)` : 'with no stall of that process in between';
      return { inWindow: false, gapMs, evidence: `${where}: ${why}` };
    }
    used.add(stall);
    return { inWindow: true, gapMs, stall, evidence: `${where}, stopped ${stall.stoppedAt}..${stall.continuedAt}` };
  });
}
