// Options of pruneRuns() and of a worker's `retention`, checked up front with errors naming the
// field and its bound (the shared option-check shape).
import { toMs, type Duration } from '../workflow/duration.js';
import type { PrunableStatus } from '../store/retention.js';
import {
  checkArray,
  checkBoolean,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkString,
  describeValue,
  optionError,
  type FieldCheck,
} from '../options/option-check.js';

export interface PruneOptions {
  /** Runs that ended longer ago than this are deleted ("30d", "12h", ms). At least 1 minute. */
  olderThan: Duration;
  /** Which terminal runs: default `['completed']`; add 'failed' and 'cancelled' to prune those too. */
  statuses?: readonly PrunableStatus[];
  /** Only runs of this workflow. */
  workflow?: string;
  /** Count what would be deleted; delete nothing. */
  dryRun?: boolean;
  /** Runs deleted per transaction (a short write lock per batch on SQLite). Default 100, 1 to 10000. */
  batchSize?: number;
}

/** A worker's periodic prune (WorkerOptions.retention): pruneRuns with these options every `every`. */
export interface RetentionOptions extends Omit<PruneOptions, 'dryRun'> {
  /** How often the worker prunes. Default "1h"; from 1 second to 7 days. The first prune runs one `every` after start. */
  every?: Duration;
}

export interface ResolvedPrune {
  olderThanMs: number;
  statuses: readonly PrunableStatus[];
  workflow: string | undefined;
  dryRun: boolean;
  batchSize: number;
}

const MIN_AGE_MS = 60_000;
const STATUSES: readonly PrunableStatus[] = ['completed', 'failed', 'cancelled'];

const atLeast =
  (min: number, max: number, what: string): FieldCheck =>
  (value, path) => {
    const ms = toMs(value as Duration, path);
    if (ms < min || ms > max) throw optionError(path, `must be ${what} (got ${describeValue(value)})`);
  };

const PRUNE_FIELDS: Readonly<Record<keyof PruneOptions, FieldCheck>> = {
  olderThan: atLeast(MIN_AGE_MS, Number.MAX_SAFE_INTEGER, 'a duration of at least 1 minute'),
  statuses: (value, path) => {
    const list = checkArray(value, path);
    if (list.length === 0) throw optionError(path, `must name at least one of "completed", "failed", "cancelled" (got [])`);
    list.forEach((s, i) => checkOneOf(s, `${path}[${i}]`, STATUSES));
  },
  workflow: (value, path) => void checkString(value, path, 200),
  dryRun: (value, path) => void checkBoolean(value, path),
  batchSize: (value, path) => void checkNumber(value, path, { min: 1, max: 10_000, integer: true }),
};

function resolve(options: PruneOptions, where: string, fields: Readonly<Record<string, FieldCheck>>): ResolvedPrune {
  const o = checkOptions(options, where, fields);
  if (o.olderThan === undefined)
    throw optionError(`${where}.olderThan`, 'is required: how long ago a run must have ended to be deleted, e.g. "30d" (got no olderThan)');
  return {
    olderThanMs: toMs(options.olderThan, `${where}.olderThan`),
    statuses: [...new Set<PrunableStatus>(options.statuses ?? ['completed'])],
    workflow: options.workflow,
    dryRun: options.dryRun ?? false,
    batchSize: options.batchSize ?? 100,
  };
}

export function resolvePruneOptions(options: PruneOptions): ResolvedPrune {
  if (options === undefined) throw optionError('pruneRuns', 'needs options with olderThan, e.g. { olderThan: "30d" } (got undefined)');
  return resolve(options, 'pruneRuns', PRUNE_FIELDS);
}

/** A worker's `retention` option: the prune and how often. */
export function resolveRetentionOptions(options: RetentionOptions, where = 'worker.retention'): ResolvedPrune & { everyMs: number } {
  const { dryRun: _dry, ...fields } = PRUNE_FIELDS;
  const every = atLeast(1000, 7 * 86_400_000, 'a duration from 1 second to 7 days');
  const resolved = resolve(options, where, { ...fields, every });
  return { ...resolved, everyMs: options.every === undefined ? 3_600_000 : toMs(options.every, `${where}.every`) };
}
