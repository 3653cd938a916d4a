// The retry-loop detector (issue 8 §5). `check()` remembers a fingerprint of what the agent
// produced and says whether it is going round in circles, and how hard to escalate.
import { LoopDetectedError } from '../errors/loop-detected-error.js';
import { canonicalText, fingerprint, sha256 } from './fingerprint.js';
import { detect, sameValue } from './loop-detect.js';
import { resolveLoopOptions, type LoopGuardOptions, type ResolvedLoopOptions } from './loop-options.js';
import type { LoopEntry, LoopVerdict } from './loop-verdict.js';

/** Besides the value itself: what the agent did to get it, the error it hit, the state it is in. */
export interface CheckContext {
  action?: unknown;
  error?: unknown;
  state?: unknown;
}

export class LoopGuard {
  readonly options: ResolvedLoopOptions;
  private readonly entries: LoopEntry[] = [];
  private readonly same: (a: LoopEntry, b: LoopEntry) => boolean;
  private detectionCount = 0;

  constructor(
    options?: LoopGuardOptions,
    /** Named in errors and events. */
    readonly name = 'loop',
  ) {
    this.options = resolveLoopOptions(options);
    this.same = sameValue(this.options);
  }

  /** Remembers `value` and judges it. A `fail` escalation throws LoopDetectedError (class logic). */
  check(value: unknown, about: CheckContext = {}): LoopVerdict {
    return this.enforce(this.push(this.entryOf(value, about)));
  }

  /** Throws LoopDetectedError for a verdict that escalates to `fail`; returns the others. */
  enforce(verdict: LoopVerdict): LoopVerdict {
    if (verdict.level === 'fail') throw new LoopDetectedError(this.name, verdict.kind, verdict.detail, verdict.detections);
    return verdict;
  }

  /** How many checks detected a loop so far. */
  get detections(): number {
    return this.detectionCount;
  }

  /** Forgets every check (after the agent was given a genuinely new task, say). */
  reset(): void {
    this.entries.length = 0;
    this.detectionCount = 0;
  }

  /** The fingerprints of one check, without remembering them. */
  entryOf(value: unknown, about: CheckContext = {}): LoopEntry {
    const keys = { ignoreKeys: this.options.ignoreKeys };
    const text = canonicalText(value, keys);
    const entry: LoopEntry = { v: sha256(text) };
    if (this.options.similarity) entry.t = text;
    if (about.action !== undefined) entry.a = sha256(`${fingerprint(about.action, keys)} ${entry.v}`);
    if (about.error !== undefined) entry.e = fingerprint(about.error, keys);
    if (about.state !== undefined) entry.s = fingerprint(about.state, keys);
    return entry;
  }

  /** Remembers a check's fingerprints and judges them, without throwing (a workflow feeds recorded entries here). */
  push(entry: LoopEntry): LoopVerdict {
    const entries = this.entries;
    entries.push(entry);
    if (entries.length > this.options.window) entries.shift();
    const found = detect(entries, this.options, this.same);
    if (!found) return { kind: 'ok', detail: '', level: null, detections: this.detectionCount };
    const detections = ++this.detectionCount;
    const ladder = this.options.escalation;
    const level = ladder[Math.min(detections, ladder.length) - 1]!;
    const verdict: LoopVerdict = { kind: found.kind, detail: found.detail, level, detections, hint: '' };
    verdict.hint = this.options.hint(verdict);
    return verdict;
  }
}

/** A loop guard for code outside workflows (inside one, see `durableLoopGuard`). */
export function loopGuard(options?: LoopGuardOptions, name?: string): LoopGuard {
  return new LoopGuard(options, name);
}
