// The shared --since/--workflow options as insight API options; a bad --since is a usage error.
import type { InsightWindowOptions } from '../../insight/window.js';
import type { Duration } from '../../workflow/duration.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import type { InsightCliOptions } from './insight.js';

export function windowOptions(opts: InsightCliOptions): InsightWindowOptions {
  const since = opts.since ?? '24h';
  if (!/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(since)) throw new CliError(`--since must be a duration like 1h, 24h or 7d (got "${since}")`, EXIT.USAGE);
  return { since: since as Duration, ...(opts.workflow !== undefined ? { workflow: opts.workflow } : {}) };
}
