// The fields of every public options object, checked by option-check.ts: one list per API, the
// single source of its known names, so a misspelt field fails the same way everywhere.
import { checkBreakersOption } from '../breakers/shared-options.js';
import { parseSlos } from '../insight/slo-spec.js';
import { InvalidOptionsError } from '../errors/options-error.js';
import { checkSecret } from '../errors/secrets.js';
import { resolveRetryPolicy, type RetryOptions } from '../policy/retry-policy.js';
import { COMPENSATION_PREFIX } from '../store/compensation.js';
import { toMs, type Duration } from '../workflow/duration.js';
import { resolveBudget } from '../costs/budget.js';
import { PriceTable } from '../costs/prices.js';
import { checkRoutes } from './route-options.js';
import { checkStepCache } from './cache-options.js';
import { resolveRetentionOptions, type RetentionOptions } from '../retention/retention-options.js';
import { checkInsightOptions, checkTags } from './insight-options.js';
import { checkEstimatedTokens, checkLimitsConfig, checkStepLimits } from './limit-options.js';
import { LOGGER_METHODS, type LifelineLogger } from '../observe/event-log.js';
import {
  checkArray,
  checkBoolean,
  checkFunction,
  checkHasMethods,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkString,
  describeValue,
  optionError,
  type FieldCheck,
} from './option-check.js';

const int =
  (min: number, max: number): FieldCheck =>
  (value, path) => {
    checkNumber(value, path, { min, max, integer: true });
  };
const text =
  (maxLength: number): FieldCheck =>
  (value, path) => {
    checkString(value, path, maxLength);
  };
export const duration: FieldCheck = (value, path) => {
  toMs(value as Duration, path);
};
export const classifiers: FieldCheck = (value, path) => {
  checkArray(value, path).forEach((rule, i) => checkFunction(rule, `${path}[${i}]`));
};
const schema: FieldCheck = (value, path) => checkHasMethods(value, path, ['safeParse'], 'a zod schema');
const retry: FieldCheck = (value, path) => {
  resolveRetryPolicy(value as RetryOptions, undefined, path);
};
/** An in-process policy value (src/policy/values) around each attempt's body. */
export const policy: FieldCheck = (value, path) =>
  checkHasMethods(value, path, ['execute', 'onEvent', 'run'], 'a policy (retry, timeout, fallback, circuitBreaker, bulkhead or wrap)');
/** A best-effort step's `{ default }`: the object must say what to return, even if that is undefined. */
const optional: FieldCheck = (value, path) => {
  const o = checkOptions(value, path, { default: () => {} });
  if (!('default' in o)) throw optionError(`${path}.default`, 'is required: the value the step returns when it fails for good (got no default)');
};

export interface WorkerOptions {
  /** Runs executed at once by this worker. Default 10. */
  concurrency?: number;
  /** Lease time-to-live; another worker takes a run over when its lease lapsed. Default 3000. */
  leaseMs?: number;
  /** How often leases are renewed; must be well under leaseMs. Default 1000. */
  heartbeatMs?: number;
  /** How often to look for runnable runs when idle. Default 200. */
  pollMs?: number;
  /** On stop(): how long running steps may finish before they are aborted. Default 10000. */
  shutdownGraceMs?: number;
  /** How often to look for runs owned by dead processes of this host. Default 1000. */
  deadOwnerCheckMs?: number;
  workerId?: string;
  /** Host identity recorded in leases (default: os.hostname()). */
  host?: string;
  /** Process id recorded in leases (default: process.pid). */
  pid?: number;
  /**
   * A run claimed this many times in a row without committing a step (a poison run: it crashes
   * its worker, or its commit fails the same way every time) is parked instead of claimed again;
   * `lifeline resume` continues it once the cause is fixed. Default 5.
   */
  maxClaimsWithoutProgress?: number;
  /** Structured logs of this worker's events (a pino logger or compatible): see LifelineOptions.logger. */
  logger?: LifelineLogger;
  /**
   * Prunes old terminal runs periodically (pruneRuns with these options every `every`, default
   * 1 h), e.g. `{ olderThan: '30d' }`. Each prune is reported as a `worker.pruned` event.
   * docs/time-travel.md, "Retention".
   */
  retention?: RetentionOptions;
  /**
   * Fires the cron schedules of the loaded workflows (docs/time-travel.md, "Schedules"). Default
   * true; `lifeline run` and `lifeline resume` execute one run with a worker that fires none.
   */
  fireSchedules?: boolean;
}

export type ResolvedWorkerOptions = Required<Omit<WorkerOptions, 'workerId' | 'host' | 'logger' | 'retention'>> &
  Pick<WorkerOptions, 'workerId' | 'host' | 'retention'>;

/** A `logger` option: pino or anything with its calling convention. */
const logger: FieldCheck = (value, path) => checkHasMethods(value, path, LOGGER_METHODS, 'a pino-compatible logger');

const WORKER_FIELDS: Record<keyof WorkerOptions, FieldCheck> = {
  concurrency: int(1, 10_000),
  leaseMs: int(100, 86_400_000),
  heartbeatMs: int(10, 86_400_000),
  pollMs: int(1, 3_600_000),
  shutdownGraceMs: int(0, 3_600_000),
  deadOwnerCheckMs: int(0, 3_600_000),
  workerId: text(200),
  host: text(255),
  pid: int(1, 2 ** 31),
  maxClaimsWithoutProgress: int(1, 1000),
  logger,
  retention: (value, path) => void resolveRetentionOptions(value as RetentionOptions, path),
  fireSchedules: (value, path) => void checkBoolean(value, path),
};

export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  checkOptions(options, 'worker', WORKER_FIELDS);
  const resolved: ResolvedWorkerOptions = {
    concurrency: options.concurrency ?? 10,
    leaseMs: options.leaseMs ?? 3000,
    heartbeatMs: options.heartbeatMs ?? 1000,
    pollMs: options.pollMs ?? 200,
    shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
    deadOwnerCheckMs: options.deadOwnerCheckMs ?? 1000,
    pid: options.pid ?? process.pid,
    maxClaimsWithoutProgress: options.maxClaimsWithoutProgress ?? 5,
    workerId: options.workerId,
    host: options.host,
    retention: options.retention,
    fireSchedules: options.fireSchedules ?? true,
  };
  if (resolved.heartbeatMs * 2 > resolved.leaseMs) {
    throw new InvalidOptionsError(
      `Invalid option worker.heartbeatMs: must be at most half of worker.leaseMs so a lease survives one missed beat (got ${resolved.heartbeatMs} with leaseMs ${resolved.leaseMs})`,
    );
  }
  return resolved;
}

/** defineWorkflow(name, fn, options). */
/** Versions are stored as a 32-bit integer on both backends. */
export const MAX_WORKFLOW_VERSION = 2147483647;

export function checkWorkflowOptions(options: unknown, name: string): void {
  checkOptions(options, `workflow "${name}"`, {
    inputSchema: schema,
    outputSchema: schema,
    retry,
    stepTimeout: duration,
    classifiers,
    budget: (value, path) => {
      resolveBudget(value, path);
    },
    // recovery: checked field by field when the rules are resolved (workflow/recovery-rules.ts).
    recovery: () => {},
    // schedules: checked field by field when they are resolved (options/schedule-options.ts).
    schedules: () => {},
    version: int(1, MAX_WORKFLOW_VERSION),
  });
}

/**
 * ctx.step(name, fn, options), checked before the step runs (and before anything is written):
 * a bad name or options fail the call with InvalidOptionsError (class configuration). The step's
 * retry is resolved over the workflow's policy by `resolveStepRetry`, which caches it.
 */
export function checkStepCall(workflow: string, name: unknown, fn: unknown, options: unknown, resolveStepRetry: () => void): void {
  checkStepName(workflow, name);
  if (typeof fn !== 'function') {
    throw new InvalidOptionsError(`Invalid step "${name}" in workflow "${workflow}": its function must be a function (got ${describeValue(fn)})`);
  }
  if (options === undefined) return;
  checkOptions(options, `step "${name}"`, {
    retry: () => resolveStepRetry(),
    timeout: duration,
    classifiers,
    policy,
    optional,
    routes: checkRoutes,
    limits: checkStepLimits,
    estimatedTokens: checkEstimatedTokens,
    breaker: text(200),
    cache: checkStepCache,
    tags: (value, path) => void checkTags(value, path),
    sideEffect: (value, path) => checkBoolean(value, path),
    compensate: checkFunction,
    compensateRetry: retry,
  });
  const o = options as { compensate?: unknown; cache?: unknown };
  if (o.compensate !== undefined && o.cache !== undefined) {
    throw optionError(
      `step "${name}".compensate`,
      'cannot be combined with `cache`: a result taken from the cache did not run the step in this run, so there is nothing of it to undo',
    );
  }
}

/** A step's name (ctx.step, ctx.fallback): what every backend can store as an identity. */
export function checkStepName(workflow: string, name: unknown): asserts name is string {
  // Unpaired surrogates: not valid UTF-8, so PostgreSQL refuses them (SQLite would store them mangled).
  if (typeof name !== 'string' || name.length === 0 || name.length > 256 || name.includes('\0') || /\p{Cs}/u.test(name)) {
    throw new InvalidOptionsError(
      `Invalid step name in workflow "${workflow}": must be a non-empty string of at most 256 characters without NUL or unpaired surrogates (got ${describeValue(name)})`,
    );
  }
  if (name.startsWith(COMPENSATION_PREFIX)) {
    throw new InvalidOptionsError(
      `Invalid step name in workflow "${workflow}": must not start with "${COMPENSATION_PREFIX}", which names compensation steps (got ${describeValue(name)})`,
    );
  }
}

/** ctx.send(runId, name, payload): a run id and a message name, checked before anything is written. */
export function checkSendCall(workflow: string, runId: unknown, name: unknown): void {
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 1024) {
    throw new InvalidOptionsError(
      `Invalid ctx.send in workflow "${workflow}": runId must be a non-empty string of at most 1024 characters (got ${describeValue(runId)})`,
    );
  }
  if (typeof name !== 'string' || name.length === 0 || name.length > 256 || name.includes('\0')) {
    throw new InvalidOptionsError(
      `Invalid ctx.send in workflow "${workflow}": name must be a non-empty string of at most 256 characters without NUL (got ${describeValue(name)})`,
    );
  }
}

/** ctx.waitForSignal(name, options). */
export function checkWaitOptions(options: unknown, name: string): void {
  checkOptions(options, `waitForSignal "${name}"`, { timeout: duration });
}

/** Lifeline.open(options). */
export function checkOpenOptions(options: unknown): void {
  checkOptions(options, 'Lifeline.open', {
    db: (value, path) => {
      if (typeof value !== 'string') checkHasMethods(value, path, ['createRun', 'getRun', 'close'], 'a database location (string) or a Store');
    },
    workflows: (value, path) => {
      checkArray(value, path).forEach((w, i) => checkHasMethods(w, `${path}[${i}]`, ['fn'], 'a workflow from defineWorkflow'));
    },
    clock: (value, path) => checkHasMethods(value, path, ['now', 'sleep', 'setTimer'], 'a Clock'),
    maxPayloadBytes: int(1024, 2 ** 30),
    pricing: (value, path) => {
      new PriceTable(value as never, path);
    },
    secrets: (value, path) => {
      checkArray(value, path).forEach((secret, i) => checkSecret(secret, `${path}[${i}]`));
    },
    limits: checkLimitsConfig,
    breakers: (value, path) => void checkBreakersOption(value, path),
    logger,
    slos: (value, path) => void parseSlos(value, path),
    insight: (value, path) => void checkInsightOptions(value, path),
  });
}

/** lifeline.start(workflow, input, options). */
export function checkStartOptions(options: unknown): void {
  checkOptions(options, 'start', { runId: text(200) });
}

/** lifeline.result(runId, options). */
export function checkResultOptions(options: unknown): void {
  checkOptions(options, 'result', { pollMs: int(1, 3_600_000) });
}

/** openStore(url, options): each backend reads only its own fields. */
const SQLITE_STORE_FIELDS: Readonly<Record<string, FieldCheck>> = {
  synchronous: (value, path) => checkOneOf(value, path, ['FULL', 'NORMAL'] as const),
  busyTimeoutMs: int(0, 3_600_000),
  readOnly: (value, path) => checkBoolean(value, path),
};

const POSTGRES_STORE_FIELDS: Readonly<Record<string, FieldCheck>> = {
  schema: text(54),
  poolSize: int(1, 1000),
  softPoolSize: int(1, 1000),
  connectTimeoutMs: int(1, 3_600_000),
  readOnly: (value, path) => checkBoolean(value, path),
  leaseClock: (value, path) => checkOneOf(value, path, ['database', 'caller'] as const),
};

/**
 * openStore(url, options) takes either backend's fields (one configuration object may serve both,
 * each backend reads its own); openSqliteStore and openPostgresStore take only their own.
 */
export function checkStoreOptions(options: unknown, where: 'openStore' | 'openSqliteStore' | 'openPostgresStore' = 'openStore'): void {
  const fields =
    where === 'openSqliteStore'
      ? SQLITE_STORE_FIELDS
      : where === 'openPostgresStore'
        ? POSTGRES_STORE_FIELDS
        : { ...SQLITE_STORE_FIELDS, ...POSTGRES_STORE_FIELDS };
  checkOptions(options, where, fields);
}
