// The detections, over the remembered checks (newest last). Pure: the same entries give the same
// answer, which is what lets a workflow rebuild a guard from its recorded checks.
import type { ResolvedLoopOptions } from './loop-options.js';
import type { LoopEntry, LoopKind } from './loop-verdict.js';

export interface Detection {
  kind: LoopKind;
  detail: string;
}

type Same = (a: LoopEntry, b: LoopEntry) => boolean;

export function sameValue(options: ResolvedLoopOptions): Same {
  const { similarity, threshold } = options;
  if (!similarity) return (a, b) => a.v === b.v;
  return (a, b) => a.v === b.v || similarity(a.t ?? '', b.t ?? '') >= threshold;
}

/** The first loop the newest entry completes, most specific first; null when none. */
export function detect(entries: readonly LoopEntry[], options: ResolvedLoopOptions, same: Same): Detection | null {
  const n = entries.length;
  const last = entries[n - 1];
  if (!last) return null;
  const { repeats } = options;
  if (last.e !== undefined && tailAll(entries, repeats, (x) => x.e === last.e)) {
    return { kind: 'same_error', detail: `the same error ${repeats} times in a row` };
  }
  if (last.a !== undefined) {
    let times = 0;
    for (const x of entries) if (x.a === last.a) times++;
    if (times >= repeats) return { kind: 'same_action_result', detail: `the same action gave the same result ${times} times` };
  }
  if (tailAll(entries, repeats, (x) => same(x, last))) return { kind: 'repeat', detail: `the same value ${repeats} times in a row` };
  const alternation = periodOf(entries, options, same);
  if (alternation) return { kind: 'alternation', detail: `alternating between ${alternation} values, ${options.cycles} cycles` };
  if (last.s !== undefined && tailAll(entries, options.noProgress, (x) => x.s === last.s)) {
    return { kind: 'no_progress', detail: `the state did not change over ${options.noProgress} checks` };
  }
  return null;
}

function tailAll(entries: readonly LoopEntry[], count: number, test: (entry: LoopEntry) => boolean): boolean {
  if (entries.length < count) return false;
  for (let i = entries.length - count; i < entries.length; i++) if (!test(entries[i]!)) return false;
  return true;
}

/** The smallest period p in 2..maxPeriod the last p x cycles entries repeat with (not all one value). */
function periodOf(entries: readonly LoopEntry[], options: ResolvedLoopOptions, same: Same): number | null {
  const n = entries.length;
  for (let p = 2; p <= options.maxPeriod; p++) {
    const span = p * options.cycles;
    if (n < span) return null;
    let periodic = true;
    for (let i = n - span + p; i < n && periodic; i++) periodic = same(entries[i]!, entries[i - p]!);
    if (!periodic) continue;
    let varied = false;
    for (let i = n - p + 1; i < n && !varied; i++) varied = !same(entries[i]!, entries[n - p]!);
    if (varied) return p;
  }
  return null;
}
