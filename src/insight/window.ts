// The window options every insight query and `lifeline insight` subcommand takes.
import { optionError } from '../options/option-check.js';
import { toMs, type Duration } from '../workflow/duration.js';
import type { InsightWindow } from './types.js';

export interface InsightWindowOptions {
  /** How far back: a duration ("24h", "7d") or an epoch-ms time. Default 24h. */
  since?: Duration | Date;
  /** Only this workflow. */
  workflow?: string;
}

export const DEFAULT_INSIGHT_SINCE_MS = 24 * 3_600_000;

/** The window ending at `now`; `since` as a duration counts back from `now`. */
export function insightWindow(options: InsightWindowOptions, now: number): InsightWindow {
  const since =
    options.since === undefined ? now - DEFAULT_INSIGHT_SINCE_MS : options.since instanceof Date ? options.since.getTime() : now - toMs(options.since, 'since');
  if (!Number.isFinite(since)) throw optionError('since', `must be a duration like "24h" or a Date (got an invalid date)`);
  if (options.workflow !== undefined && (typeof options.workflow !== 'string' || options.workflow === '')) {
    throw optionError('workflow', 'must be a non-empty workflow name');
  }
  return { since, until: now, ...(options.workflow !== undefined ? { workflow: options.workflow } : {}) };
}
