// loopGuard(options): checked up front, every bad field named with its bound.
import { checkArray, checkFunction, checkNumber, checkOneOf, checkOptions, checkString, optionError } from '../options/option-check.js';
import type { LoopVerdict } from './loop-verdict.js';

/** What a detection asks for, from mildest to hardest. */
export type EscalationLevel = 'hint' | 'fallback' | 'human' | 'fail';
export const ESCALATION_LEVELS: readonly EscalationLevel[] = ['hint', 'fallback', 'human', 'fail'];

export interface LoopGuardOptions {
  /** The same value this many checks in a row is a loop (also: same action+result, same error). Default 2. */
  repeats?: number;
  /** Alternations A-B-A-B are looked for with periods 2..maxPeriod; 1 turns it off. Default 4. */
  maxPeriod?: number;
  /** How many full cycles of a period make an alternation. Default 2. */
  cycles?: number;
  /** The state hash unchanged over this many checks is "no progress". Default 3. */
  noProgress?: number;
  /** Checks remembered. Default 50. */
  window?: number;
  /** The n-th detection asks for escalation[n-1] (the last one repeats). Default hint, fallback, fail. */
  escalation?: readonly EscalationLevel[];
  /** The text fed back to the agent with a detection. */
  hint?: (verdict: LoopVerdict) => string;
  /** Compares two canonical texts (0..1); with it, "the same value" means similarity >= threshold. Must be deterministic. */
  similarity?: (a: string, b: string) => number;
  /** Default 0.9. Only with `similarity`. */
  threshold?: number;
  /** Object keys dropped before fingerprinting, besides the id and time keys. */
  ignoreKeys?: readonly string[];
  /** The signal a `human` escalation waits for inside a workflow. Default `loop:<guard name>`. */
  signal?: string;
}

export interface ResolvedLoopOptions {
  repeats: number;
  maxPeriod: number;
  cycles: number;
  noProgress: number;
  window: number;
  escalation: readonly EscalationLevel[];
  hint: (verdict: LoopVerdict) => string;
  similarity: ((a: string, b: string) => number) | undefined;
  threshold: number;
  ignoreKeys: readonly string[];
  signal: string | undefined;
}

const WHERE = 'loopGuard';
const count = (min: number, max: number) => (value: unknown, path: string) => void checkNumber(value, path, { min, max, integer: true });

export function resolveLoopOptions(options: LoopGuardOptions | undefined): ResolvedLoopOptions {
  const o = checkOptions(options, WHERE, {
    repeats: count(2, 1000),
    maxPeriod: count(1, 50),
    cycles: count(2, 100),
    noProgress: count(2, 1000),
    window: count(2, 10_000),
    escalation: (value, path) => {
      const list = checkArray(value, path);
      if (list.length === 0) throw optionError(path, 'must list at least one level of hint, fallback, human, fail (got [])');
      list.forEach((level, i) => checkOneOf(level, `${path}[${i}]`, ESCALATION_LEVELS));
    },
    hint: checkFunction,
    similarity: checkFunction,
    threshold: (value, path) => void checkNumber(value, path, { min: 0, max: 1, integer: false }),
    ignoreKeys: (value, path) => checkArray(value, path).forEach((key, i) => checkString(key, `${path}[${i}]`, 256)),
    signal: (value, path) => void checkString(value, path, 256),
  }) as LoopGuardOptions;
  if (o.threshold !== undefined && o.similarity === undefined)
    throw optionError(`${WHERE}.threshold`, 'is used only with loopGuard.similarity (got no similarity)');
  const repeats = o.repeats ?? 2;
  const maxPeriod = o.maxPeriod ?? 4;
  const cycles = o.cycles ?? 2;
  const noProgress = o.noProgress ?? 3;
  const window = o.window ?? 50;
  const needed = Math.max(repeats, maxPeriod * cycles, noProgress);
  if (window < needed) throw optionError(`${WHERE}.window`, `must be at least ${needed} to hold repeats, maxPeriod x cycles and noProgress (got ${window})`);
  return {
    repeats,
    maxPeriod,
    cycles,
    noProgress,
    window,
    escalation: o.escalation ?? ['hint', 'fallback', 'fail'],
    hint: o.hint ?? defaultHint,
    similarity: o.similarity,
    threshold: o.threshold ?? 0.9,
    ignoreKeys: o.ignoreKeys ?? [],
    signal: o.signal,
  };
}

function defaultHint(verdict: LoopVerdict): string {
  return `You are repeating yourself (${verdict.detail}). Do not produce the same answer again: change your approach, use different information, or say that you cannot proceed.`;
}
