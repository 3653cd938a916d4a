import { describeValue, optionError } from '../options/option-check.js';

/** A duration: milliseconds as a number, or a string with a unit: "250ms", "5s", "10m", "2h", "1d". */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration in ms; `path` names the option in the error (`Invalid option <path>: ...`). */
export function toMs(duration: Duration, path: string): number {
  if (typeof duration === 'number' && Number.isFinite(duration) && duration >= 0) return duration;
  const match = typeof duration === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(duration.trim()) : null;
  if (!match) throw optionError(path, `must be a duration >= 0 in ms or a string like "5s" (got ${describeValue(duration)})`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
