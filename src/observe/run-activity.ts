// What a run is doing, beyond its stored status (issue 10 §3, issue 11 §4): a running run may be
// retrying a failed step or stuck, a sleeping one may be deferred by a step gate or waiting out a
// recovery. Pure functions over store records and a `now`; each verdict comes with its reason.
// Reading them for a listing is one Store.listRunActivity call, not one query per run
// (run-activity-list.ts).
import type { EventMap, RunEventType } from '../store/events.js';
import type { RunActivityRecord } from '../store/activity.js';
import { fromJson } from '../store/serialize.js';
import type { AttemptRecord, RunRecord, RunStatus } from '../store/types.js';
import type { ActivityOptions } from '../options/activity-options.js';
import { DEFAULT_ACTIVITY_OPTIONS } from '../options/activity-options.js';
import { clockTime, shortDuration } from './format.js';
import type { WorkerRecord } from '../store/versions.js';

export type ActivityState =
  'pending' | 'running' | 'retrying' | 'stuck' | 'waiting' | 'sleeping' | 'deferred' | 'parked' | Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>;

export const ACTIVITY_STATES: readonly ActivityState[] = [
  'pending',
  'running',
  'retrying',
  'stuck',
  'waiting',
  'sleeping',
  'deferred',
  'parked',
  'completed',
  'failed',
  'cancelled',
];

export interface RunActivity {
  state: ActivityState;
  /** Why, in one line: "step fetch#0 attempt 3 failed (rate_limit), retry at 12:03:10". */
  reason: string;
  /** The step the verdict is about, when there is one. */
  stepId: string | null;
  /** retrying: when the next attempt (or the recovery's resume) is due, when known. */
  retryAt: number | null;
}

/** The event types the verdicts read (ask Store.listRunActivity for these). */
export const ACTIVITY_EVENT_TYPES: readonly RunEventType[] = ['step.retrying', 'step.deferred', 'run.recovering', 'run.waiting'];

/** The stored statuses a run in `state` can have: what a listing filtered by state needs to read. */
export function statusesFor(state: ActivityState): RunStatus[] {
  switch (state) {
    case 'running':
      return ['running'];
    case 'retrying':
      return ['running', 'sleeping'];
    case 'stuck':
      return ['pending', 'running', 'sleeping', 'waiting'];
    case 'deferred':
      return ['sleeping'];
    default:
      return [state];
  }
}

function latest<T extends keyof EventMap>(activity: RunActivityRecord, type: T): { data: EventMap[T]; at: number } | null {
  for (let i = activity.latestEvents.length - 1; i >= 0; i--) {
    const e = activity.latestEvents[i];
    if (e?.type === type) return { data: fromJson<EventMap[T]>(e.data), at: e.at };
  }
  return null;
}

const verdict = (state: ActivityState, reason: string, stepId: string | null = null, retryAt: number | null = null): RunActivity => ({
  state,
  reason,
  stepId,
  retryAt,
});

/**
 * The run's activity at `now`. `activity` is the run's record from Store.listRunActivity (asked
 * with ACTIVITY_EVENT_TYPES); thresholds default to DEFAULT_ACTIVITY_OPTIONS (validate user
 * input with resolveActivityOptions first).
 */
export function classifyRun(
  run: RunRecord,
  activity: RunActivityRecord,
  now: number,
  options: ActivityOptions = {},
  live: LiveVersions = NO_LIVE_VERSIONS,
): RunActivity {
  const o = { ...DEFAULT_ACTIVITY_OPTIONS, ...options };
  switch (run.status) {
    case 'completed':
      return verdict('completed', 'completed');
    case 'cancelled':
      return verdict('cancelled', 'cancelled');
    case 'failed':
    case 'parked':
      return verdict(run.status, run.error ? `[${run.error.errorClass}] ${run.error.message}` : run.status, run.error?.stepId ?? null);
    case 'pending':
      return pending(run, now, o, live);
    case 'running':
      return running(run, activity, now, o);
    case 'sleeping':
      return sleeping(run, activity, now, o, live);
    case 'waiting':
      return waiting(run, activity, now, o, live);
  }
}

type Thresholds = Required<ActivityOptions>;

function claimedTooOften(run: RunRecord, o: Thresholds): RunActivity | null {
  if (run.claimsWithoutProgress < o.stuckAfterClaims) return null;
  return verdict('stuck', `claimed ${run.claimsWithoutProgress} times without committing a step (stuckAfterClaims ${o.stuckAfterClaims})`);
}

function pending(run: RunRecord, now: number, o: Thresholds, live: LiveVersions): RunActivity {
  const claims = claimedTooOften(run, o);
  if (claims) return claims;
  const waited = now - run.updatedAt;
  const gap = versionGap(run, live);
  if (gap !== null) return verdict(waited > o.unclaimedMs ? 'stuck' : 'pending', gap);
  if (waited > o.unclaimedMs) return verdict('stuck', `pending for ${shortDuration(waited)} (since ${clockTime(run.updatedAt, now)}), no worker claimed it`);
  return verdict('pending', run.claimCount > 0 ? `waiting for a worker (claimed ${run.claimCount} times before)` : 'waiting for a worker');
}

function running(run: RunRecord, activity: RunActivityRecord, now: number, o: Thresholds): RunActivity {
  const lease = run.lease;
  if (lease && now - lease.expiresAt > o.expiredLeaseMs) {
    return verdict(
      'stuck',
      `lease of worker ${lease.workerId} expired at ${clockTime(lease.expiresAt, now)} (${shortDuration(now - lease.expiresAt)} ago), nobody took it over`,
    );
  }
  const claims = claimedTooOften(run, o);
  if (claims) return claims;
  const a = activity.latestAttempt;
  const last = Math.max(run.updatedAt, a?.startedAt ?? 0, a?.endedAt ?? 0, activity.lastCompletedAt ?? 0);
  const retry = a && failedOutcome(a) ? scheduledRetry(a, activity) : null;
  if (retry !== null && retry.retryAt > now) return retrying(a as AttemptRecord, retry, now);
  const idle = now - Math.max(last, retry?.retryAt ?? 0);
  if (idle > o.noProgressMs) {
    const what = a
      ? `last: step ${a.stepId} attempt ${a.attempt} ${a.outcome === 'running' ? 'started' : a.outcome} at ${clockTime(a.endedAt ?? a.startedAt, now)}`
      : 'no step started';
    return verdict('stuck', `no attempt started or ended and no step committed for ${shortDuration(idle)} (${what})`, a?.stepId ?? null);
  }
  if (a && failedOutcome(a)) return retrying(a, retry, now);
  if (a && a.outcome === 'running' && a.attempt > 1) {
    const before = latest(activity, 'step.retrying');
    const cause = before && before.data.stepId === a.stepId && before.data.attempt === a.attempt - 1 ? `, last failure ${before.data.errorClass}` : '';
    return verdict(
      'retrying',
      `step ${a.stepId} attempt ${a.attempt} running since ${clockTime(a.startedAt, now)} (${a.attempt - 1} failed before${cause})`,
      a.stepId,
    );
  }
  if (a && a.outcome === 'running') return verdict('running', `step ${a.stepId} attempt ${a.attempt} running since ${clockTime(a.startedAt, now)}`, a.stepId);
  return verdict('running', lease ? `claimed by worker ${lease.workerId}, between steps` : 'between steps');
}

function failedOutcome(a: AttemptRecord): boolean {
  return a.outcome === 'failed' || a.outcome === 'timeout' || a.outcome === 'interrupted';
}

/** The retry the engine scheduled after attempt `a` failed: its step.retrying event (at + delayMs). */
function scheduledRetry(a: AttemptRecord, activity: RunActivityRecord): { retryAt: number; errorClass: string } | null {
  const e = latest(activity, 'step.retrying');
  if (!e || e.data.stepId !== a.stepId || e.data.attempt !== a.attempt) return null;
  return { retryAt: e.at + e.data.delayMs, errorClass: e.data.errorClass };
}

function retrying(a: AttemptRecord, retry: { retryAt: number; errorClass: string } | null, now: number): RunActivity {
  const cls = retry?.errorClass ?? a.errorClass ?? a.outcome;
  const failed = `step ${a.stepId} attempt ${a.attempt} ${a.outcome === 'failed' ? 'failed' : `ended ${a.outcome}`} (${cls})`;
  if (retry) return verdict('retrying', `${failed}, retry at ${clockTime(retry.retryAt, now)}`, a.stepId, retry.retryAt);
  return verdict('retrying', a.movedOn ? `${failed}, ${a.movedOn}` : `${failed}, next attempt not started yet`, a.stepId);
}

function overdue(run: RunRecord, now: number, o: Thresholds, live: LiveVersions): RunActivity | null {
  if (run.wakeAt === null || now - run.wakeAt <= o.unclaimedMs) return null;
  const gap = versionGap(run, live);
  const why = gap === null ? 'no worker claimed it' : gap;
  return verdict('stuck', `${run.status} until ${clockTime(run.wakeAt, now)}, due ${shortDuration(now - run.wakeAt)} ago and ${why}`);
}

function sleeping(run: RunRecord, activity: RunActivityRecord, now: number, o: Thresholds, live: LiveVersions): RunActivity {
  const late = overdue(run, now, o, live);
  if (late) return late;
  const deferred = latest(activity, 'step.deferred');
  if (deferred && run.wakeAt !== null && deferred.data.retryAt === run.wakeAt) {
    const d = deferred.data;
    return verdict('deferred', `step ${d.stepId} deferred by ${d.gate} until ${clockTime(d.retryAt, now)}: ${d.reason}`, d.stepId, d.retryAt);
  }
  const recovering = latest(activity, 'run.recovering');
  if (recovering && recovering.data.strategy === 'resume' && run.wakeAt !== null && recovering.data.wakeAt === run.wakeAt) {
    const r = recovering.data;
    const step = r.stepId === null ? 'the run' : `step ${r.stepId}`;
    return verdict('retrying', `${step} failed (${r.errorClass}), recovery resumes it at ${clockTime(run.wakeAt, now)}`, r.stepId, run.wakeAt);
  }
  return verdict('sleeping', run.wakeAt === null ? 'sleeping' : `sleeping until ${clockTime(run.wakeAt, now)}`);
}

function waiting(run: RunRecord, activity: RunActivityRecord, now: number, o: Thresholds, live: LiveVersions): RunActivity {
  const late = overdue(run, now, o, live);
  if (late) return late;
  const w = latest(activity, 'run.waiting');
  const on = w ? [...w.data.signals.map((s) => `signal "${s}"`), ...w.data.children.map((c) => `child ${c}`)].join(', ') : '';
  const until = run.wakeAt === null ? '' : ` until ${clockTime(run.wakeAt, now)}`;
  return verdict('waiting', `waiting${on ? ` for ${on}` : ''}${until}`);
}

/**
 * Workflow name -> the versions live workers loaded (Store.listWorkers, seen within
 * LIVE_WORKER_MS; build it with liveVersionsOf). Empty: nothing known, no verdict names versions.
 */
export type LiveVersions = ReadonlyMap<string, ReadonlySet<number | null>>;
const NO_LIVE_VERSIONS: LiveVersions = new Map();

export function liveVersionsOf(workers: readonly WorkerRecord[]): LiveVersions {
  const out = new Map<string, Set<number | null>>();
  for (const w of workers) for (const { workflow, version } of w.workflows) (out.get(workflow) ?? out.set(workflow, new Set()).get(workflow))?.add(version);
  return out;
}

/**
 * Why no live worker claims the run, when live workers load its workflow but not its version:
 * "waiting for a worker with version 1 of checkout (live workers have 2)". Null otherwise.
 */
export function versionGap(run: RunRecord, live: LiveVersions): string | null {
  const loaded = live.get(run.workflow);
  if (loaded === undefined || loaded.size === 0 || loaded.has(run.version)) return null;
  const have = [...loaded].sort((a, b) => (a ?? 0) - (b ?? 0)).map((v) => (v === null ? 'no version' : String(v)));
  const want = run.version === null ? `no version of ${run.workflow}` : `version ${run.version} of ${run.workflow}`;
  return `waiting for a worker with ${want} (live workers have ${have.join(', ')})`;
}
