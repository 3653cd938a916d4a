// A seeded generator of realistic attempt histories for insight tests and the insight bench
// (issue 10 §9). Same seed and options, same rows, on every machine. Pure: it makes rows; loading
// them into a store is the test/bench loaders' job (test/insight/load-history.ts).
//
// What a history holds (the ground truth tests compute expected figures from):
// - four workflows with their steps; LLM steps carry provider/model tags and a cost;
// - provider/model fault rates of their own; gpt-4o's rate limits rise in the last hour;
// - a pattern that is new (lookup's schema error, only in the last 50 minutes) and one that is
//   gone (fetch's connection resets, which stop 3 hours before `now`);
// - search timeouts: durations are log-normal, and an attempt over the step's timeout ends as
//   `timeout` just past it; one worker (w-7) fails disk writes;
// - retries (up to 3 attempts a step), runs that fail, and recoveries: half of the failed runs
//   are resumed 10-60 minutes later and their failed step succeeds on the next attempt;
// - runs started in the last minutes still have a running attempt (ended_at null).
import { createHash } from 'node:crypto';
import { mulberry32 } from './random.js';

export type HistoryOutcome = 'running' | 'succeeded' | 'failed' | 'timeout' | 'interrupted';

export interface HistoryRun {
  id: string;
  workflow: string;
  status: 'running' | 'completed' | 'failed';
  createdAt: number;
  updatedAt: number;
  /** The final error's message for a failed run. */
  error: { name: string; message: string; errorClass: string } | null;
}

export interface HistoryStep {
  runId: string;
  stepId: string;
  name: string;
  seq: number;
  status: 'completed' | 'failed' | 'running';
  attempts: number;
  startedAt: number;
  completedAt: number | null;
}

/** One attempt row with every column of the attempts table (migration 9 included). */
export interface HistoryAttempt {
  id: number;
  runId: string;
  workflow: string;
  stepId: string;
  stepName: string;
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  outcome: HistoryOutcome;
  errorClass: string | null;
  errorName: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  fingerprint: string | null;
  fingerprintVersion: number | null;
  durationMs: number | null;
  workerId: string;
  host: string;
  costMicros: number | null;
  tags: Record<string, string> | null;
}

/** A recovery decision (the recoveries table) for a failed run that was resumed. */
export interface HistoryRecovery {
  runId: string;
  workflow: string;
  stepId: string;
  errorClass: string;
  decidedAt: number;
  endedAt: number;
  outcome: 'recovered';
}

export interface HistoryRunRows {
  run: HistoryRun;
  steps: HistoryStep[];
  attempts: HistoryAttempt[];
  recovery: HistoryRecovery | null;
}

export interface InsightHistoryOptions {
  /** Any integer; the same seed gives the same rows. */
  seed: number;
  /** How many attempts to make: runs are added until at least this many exist (the last run may add a few more). */
  attempts: number;
  /** The end of the history (epoch ms): the "now" of the queries that read it. */
  now: number;
  /** How far back runs start. Default 48 hours. */
  spanMs?: number;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Every fingerprint the generator writes has this version. */
export const HISTORY_FINGERPRINT_VERSION = 1;

interface Fault {
  key: string;
  errorClass: string;
  errorName: string;
  errorKind: string | null;
  /** The message; `#` becomes a number, so messages of one fault differ but group together. */
  message: string;
  /** Probability per attempt at time t (ms before now: `ago`). */
  rate: (ago: number) => number;
}

interface StepSpec {
  name: string;
  model?: { provider: string; model: string; microsPerCall: number };
  medianMs: number;
  sigma: number;
  timeoutMs?: number;
  faults: Fault[];
}

const always = (p: number) => () => p;
const OPENAI_4O = { provider: 'openai', model: 'gpt-4o', microsPerCall: 12_000 };
const OPENAI_MINI = { provider: 'openai', model: 'gpt-4o-mini', microsPerCall: 900 };
const SONNET = { provider: 'anthropic', model: 'claude-sonnet', microsPerCall: 15_000 };
const HAIKU = { provider: 'anthropic', model: 'claude-haiku', microsPerCall: 1_200 };

const rateLimit4o: Fault = {
  key: 'rate-limit-4o',
  errorClass: 'rate_limit',
  errorName: 'RateLimitError',
  errorKind: 'rate_limited',
  message: '429 Rate limit reached for gpt-4o in organization org-# on tokens per min',
  rate: (ago) => (ago < HOUR ? 0.18 : 0.02),
};
const overloaded: Fault = {
  key: 'overloaded-anthropic',
  errorClass: 'transient',
  errorName: 'APIError',
  errorKind: 'overloaded',
  message: '529 Overloaded (request id req_#)',
  rate: always(0.03),
};
const badJson: Fault = {
  key: 'malformed-output',
  errorClass: 'validation',
  errorName: 'StructuredOutputError',
  errorKind: 'malformed_output',
  message: 'model output is not valid JSON at position #',
  rate: always(0.02),
};

/** The workflows and their steps; the order is fixed (it is part of the seed's meaning). */
const WORKFLOWS: ReadonlyArray<{ name: string; weight: number; steps: StepSpec[] }> = [
  {
    name: 'research',
    weight: 3,
    steps: [
      { name: 'plan', model: OPENAI_4O, medianMs: 2_500, sigma: 0.5, faults: [rateLimit4o] },
      {
        name: 'search',
        medianMs: 9_000,
        sigma: 0.7,
        timeoutMs: 30_000,
        faults: [
          {
            key: 'search-502',
            errorClass: 'dependency',
            errorName: 'HttpError',
            errorKind: null,
            message: 'search API returned 502 Bad Gateway',
            rate: always(0.01),
          },
        ],
      },
      { name: 'summarize', model: SONNET, medianMs: 6_000, sigma: 0.4, faults: [overloaded, badJson] },
    ],
  },
  {
    name: 'support-triage',
    weight: 4,
    steps: [
      { name: 'classify', model: OPENAI_MINI, medianMs: 700, sigma: 0.3, faults: [badJson] },
      {
        name: 'lookup',
        medianMs: 120,
        sigma: 0.5,
        faults: [
          {
            key: 'schema-mismatch',
            errorClass: 'logic',
            errorName: 'SqlError',
            errorKind: null,
            message: 'column "customer_tier" does not exist (customer #)',
            rate: (ago) => (ago < 50 * MINUTE ? 0.1 : 0),
          },
        ],
      },
      { name: 'reply', model: HAIKU, medianMs: 1_500, sigma: 0.4, faults: [overloaded] },
    ],
  },
  {
    name: 'nightly-report',
    weight: 1,
    steps: [
      {
        name: 'fetch',
        medianMs: 800,
        sigma: 0.6,
        timeoutMs: 10_000,
        faults: [
          {
            key: 'conn-reset',
            errorClass: 'transient',
            errorName: 'FetchError',
            errorKind: 'connection_reset',
            message: 'read ECONNRESET from 10.0.#.12:443',
            rate: (ago) => (ago > 3 * HOUR ? 0.25 : 0),
          },
        ],
      },
      { name: 'render', medianMs: 300, sigma: 0.3, faults: [] },
      {
        name: 'send',
        medianMs: 400,
        sigma: 0.3,
        faults: [
          {
            key: 'smtp-auth',
            errorClass: 'configuration',
            errorName: 'AuthError',
            errorKind: 'unauthorized',
            message: 'SMTP 535 authentication failed',
            rate: always(0.005),
          },
        ],
      },
    ],
  },
  {
    name: 'code-review',
    weight: 2,
    steps: [
      { name: 'diff', medianMs: 200, sigma: 0.4, faults: [] },
      { name: 'review', model: SONNET, medianMs: 12_000, sigma: 0.5, timeoutMs: 60_000, faults: [overloaded] },
      { name: 'comment', medianMs: 350, sigma: 0.3, faults: [] },
    ],
  },
];

const WORKERS = ['w-1', 'w-2', 'w-3', 'w-4', 'w-5', 'w-6', 'w-7', 'w-8'];
const hostOf = (worker: string) => `host-${String.fromCharCode(97 + ((Number(worker.slice(2)) - 1) >> 1))}`;
/** w-7 fails disk writes on any step, at this rate. */
const diskFull: Fault = {
  key: 'disk-full',
  errorClass: 'unknown',
  errorName: 'Error',
  errorKind: null,
  message: 'ENOSPC: no space left on device, write /var/tmp/lifeline-#',
  rate: always(0.08),
};
const MAX_ATTEMPTS = 3;
/** Attempts a run makes on average (3 steps, few retries): spaces the runs over the span. */
const ATTEMPTS_PER_RUN = 3.15;

const fingerprints = new Map<string, string>();
/** The fingerprint the generator gives a fault on a step: stable across runs and machines. */
export function historyFingerprint(faultKey: string, step: string): string {
  const id = `${faultKey}|${step}`;
  let fp = fingerprints.get(id);
  if (fp === undefined) {
    fp = createHash('sha256').update(id).digest('hex').slice(0, 16);
    fingerprints.set(id, fp);
  }
  return fp;
}

/**
 * The history, run by run (runs in start order; attempt ids grow in that order). Iterate it to
 * stream a large history into a store without holding it in memory.
 */
export function* insightHistoryRuns(options: InsightHistoryOptions): Generator<HistoryRunRows> {
  const { seed, attempts: target, now } = options;
  const span = options.spanMs ?? 48 * HOUR;
  if (!Number.isInteger(target) || target < 1) throw new RangeError(`insightHistoryRuns: attempts must be a positive integer (got ${target})`);
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const totalWeight = WORKFLOWS.reduce((s, w) => s + w.weight, 0);
  // Runs start evenly over the span with jitter (about 3.15 attempts a run), so the attempts
  // spread over time; the last run starts a minute before `now` at the latest.
  const gap = span / Math.max(1, Math.round(target / ATTEMPTS_PER_RUN));
  let made = 0;
  let nextId = 1;
  for (let i = 0; made < target; i++) {
    const start = Math.min(now - MINUTE, Math.floor(now - span + i * gap + random() * gap));
    let pick = random() * totalWeight;
    const wf = WORKFLOWS.find((w) => (pick -= w.weight) < 0) ?? WORKFLOWS[0]!;
    const runId = `run-${seed}-${i}`;
    const worker = WORKERS[Math.floor(random() * WORKERS.length)]!;
    const rows: HistoryRunRows = {
      run: { id: runId, workflow: wf.name, status: 'completed', createdAt: start, updatedAt: start, error: null },
      steps: [],
      attempts: [],
      recovery: null,
    };
    let t = start;
    let stopped = false;
    for (const [seq, spec] of wf.steps.entries()) {
      if (stopped) break;
      const stepId = `${spec.name}#0`;
      const step: HistoryStep = { runId, stepId, name: spec.name, seq, status: 'running', attempts: 0, startedAt: t, completedAt: null };
      rows.steps.push(step);
      const attemptOnce = (n: number, at: number, w: string, canFail: boolean): HistoryAttempt => {
        let duration = Math.max(1, Math.round(spec.medianMs * Math.exp(spec.sigma * normal())));
        let fault: Fault | undefined;
        if (canFail) {
          const ago = now - at;
          for (const f of w === 'w-7' ? [diskFull, ...spec.faults] : spec.faults) {
            if (random() < f.rate(ago)) {
              fault = f;
              break;
            }
          }
        }
        let outcome: HistoryOutcome = fault === undefined ? 'succeeded' : 'failed';
        let errorClass = fault?.errorClass ?? null;
        let errorName = fault?.errorName ?? null;
        let errorKind = fault?.errorKind ?? null;
        let message = fault === undefined ? null : fault.message.replace('#', String(Math.floor(random() * 100_000)));
        let fingerprint = fault === undefined ? null : historyFingerprint(fault.key, spec.name);
        if (fault !== undefined) duration = Math.max(1, Math.round(duration * 0.3));
        if (spec.timeoutMs !== undefined && duration > spec.timeoutMs && canFail) {
          outcome = 'timeout';
          duration = spec.timeoutMs + Math.floor(random() * 50);
          errorClass = 'timeout';
          errorName = 'StepTimeoutError';
          errorKind = null;
          message = `step "${spec.name}" timed out after ${spec.timeoutMs} ms`;
          fingerprint = historyFingerprint('timeout', spec.name);
        }
        const model = spec.model;
        return {
          id: 0,
          runId,
          workflow: wf.name,
          stepId,
          stepName: spec.name,
          attempt: n,
          startedAt: at,
          endedAt: at + duration,
          outcome,
          errorClass,
          errorName,
          errorKind,
          errorMessage: message,
          fingerprint,
          fingerprintVersion: fingerprint === null ? null : HISTORY_FINGERPRINT_VERSION,
          durationMs: duration,
          workerId: w,
          host: hostOf(w),
          costMicros: model === undefined ? null : Math.round(model.microsPerCall * (0.5 + random())),
          tags: model === undefined ? null : { provider: model.provider, model: model.model },
        };
      };
      for (let n = 1; n <= MAX_ATTEMPTS; n++) {
        const attempt = attemptOnce(n, t, worker, true);
        if (attempt.endedAt! > now) {
          // Still running at `now`.
          Object.assign(attempt, { endedAt: null, outcome: 'running', durationMs: null, errorClass: null, errorName: null, errorKind: null });
          Object.assign(attempt, { errorMessage: null, fingerprint: null, fingerprintVersion: null, costMicros: null });
          rows.attempts.push(attempt);
          step.attempts = n;
          rows.run.status = 'running';
          stopped = true;
          break;
        }
        rows.attempts.push(attempt);
        step.attempts = n;
        t = attempt.endedAt! + 5;
        if (attempt.outcome === 'succeeded') {
          step.status = 'completed';
          step.completedAt = t - 5;
          break;
        }
        // Configuration errors are never retried; others back off 1-4 s.
        if (n === MAX_ATTEMPTS || attempt.errorClass === 'configuration') {
          step.status = 'failed';
          step.completedAt = attempt.endedAt;
          rows.run.status = 'failed';
          rows.run.error = { name: attempt.errorName ?? 'Error', message: attempt.errorMessage ?? '', errorClass: attempt.errorClass ?? 'unknown' };
          stopped = true;
          break;
        }
        t += 1_000 + Math.floor(random() * 3_000);
      }
      // A failed run is resumed 10-60 minutes later (half of them): the failed step runs again
      // on another worker and succeeds, and the run goes on to its end.
      if (step.status === 'failed' && random() < 0.5) {
        const resumeAt = t + 10 * MINUTE + Math.floor(random() * 50 * MINUTE);
        const retryWorker = WORKERS[(WORKERS.indexOf(worker) + 1) % WORKERS.length]!;
        const retry = attemptOnce(step.attempts + 1, resumeAt, retryWorker, false);
        if (retry.endedAt! <= now) {
          rows.recovery = {
            runId,
            workflow: wf.name,
            stepId,
            errorClass: rows.run.error!.errorClass,
            decidedAt: t,
            endedAt: retry.endedAt!,
            outcome: 'recovered',
          };
          rows.attempts.push(retry);
          step.attempts += 1;
          step.status = 'completed';
          step.completedAt = retry.endedAt;
          rows.run.status = 'completed';
          rows.run.error = null;
          t = retry.endedAt! + 5;
          stopped = false;
        }
      }
      t += 20;
    }
    rows.run.updatedAt = Math.min(now, t);
    for (const a of rows.attempts) a.id = nextId++;
    made += rows.attempts.length;
    yield rows;
  }
}

/** A whole (small) history in memory. */
export function generateInsightHistory(options: InsightHistoryOptions): { runs: HistoryRunRows[]; attempts: HistoryAttempt[] } {
  const runs = [...insightHistoryRuns(options)];
  return { runs, attempts: runs.flatMap((r) => r.attempts) };
}
