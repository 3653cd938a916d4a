// defineWorkflow(..., { schedules }) (issue 12 §5): each schedule checked when the workflow is
// defined, field by field, with the message shape of option-check.ts.
import type { ZodType } from 'zod';
import type { CatchUp, ScheduleDefinition } from '../store/schedules.js';
import { toJson } from '../store/serialize.js';
import { toMs, type Duration } from '../workflow/duration.js';
import { CronTicks, cronFieldCount, isKnownTimeZone } from '../workflow/cron.js';
import { checkArray, checkNumber, checkOneOf, checkOptions, checkString, describeValue, optionError } from './option-check.js';

/** One cron schedule of a workflow (docs/time-travel.md, "Schedules"). */
export interface ScheduleOptions<I = unknown> {
  /** Names the schedule within its workflow (its id is `<workflow>:<name>`). Default "default" (then one schedule only). */
  name?: string;
  /** 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), e.g. "0/5 * * * *". */
  cron: string;
  /** IANA time zone the expression is read in. Default "UTC". */
  timezone?: string;
  /** The input of every run it starts. Default null. */
  input?: I;
  /** Ticks missed while no worker ran: "skip" (default), "one" run for all of them, or "all" (at most maxCatchUp). */
  catchUp?: CatchUp;
  /** A tick first seen later than this after its time counts as missed (for "skip"). Default 1 minute. */
  grace?: Duration;
  /** "all": at most this many runs for missed ticks at once (the latest). Default 100, at most 10000. */
  maxCatchUp?: number;
}

export const CATCH_UP: readonly CatchUp[] = ['skip', 'one', 'all'];
const DEFAULT_GRACE_MS = 60_000;
const DEFAULT_MAX_CATCH_UP = 100;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const FIELDS = { name: () => {}, cron: () => {}, timezone: () => {}, input: () => {}, catchUp: () => {}, grace: () => {}, maxCatchUp: () => {} };

/** The workflow's schedules as stored definitions; throws InvalidOptionsError naming the field. */
export function resolveSchedules(workflow: string, value: unknown, inputSchema: ZodType | undefined): ScheduleDefinition[] {
  if (value === undefined) return [];
  const where = `workflow "${workflow}".schedules`;
  const list = checkArray(value, where);
  const seen = new Set<string>();
  return list.map((item, i) => {
    const path = `${where}[${i}]`;
    if (item === undefined) throw optionError(path, 'must be an object (got undefined)');
    const o = checkOptions(item, path, FIELDS);
    const name = o['name'] === undefined ? 'default' : checkString(o['name'], `${path}.name`, 64);
    if (!NAME.test(name)) throw optionError(`${path}.name`, `must be 1-64 letters, digits, "_", "." or "-" (got ${describeValue(name)})`);
    if (seen.has(name)) throw optionError(`${path}.name`, `"${name}" is taken by an earlier schedule of this workflow: give each schedule its own name`);
    seen.add(name);
    return resolveTiming(o, path, { id: `${workflow}:${name}`, workflow }, inputSchema);
  });
}

/** One schedule created at runtime (lifeline.schedule, `lifeline schedules add`). */
export interface RuntimeScheduleOptions<I = unknown> extends Omit<ScheduleOptions<I>, 'name'> {
  /** The schedule's id: 1-128 letters, digits, "_", ".", ":" or "-". */
  id: string;
  /** The workflow each tick starts a run of: its definition, or its name. */
  workflow: string | { readonly name: string; readonly options?: { readonly inputSchema?: ZodType<unknown> } };
}

const RUNTIME_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const { name: _name, ...TIMING_FIELDS } = FIELDS;
const RUNTIME_FIELDS = { id: () => {}, workflow: () => {}, ...TIMING_FIELDS };

/**
 * lifeline.schedule(options) as a stored definition (source `runtime`), checked like a
 * workflow's schedules (the same messages, under `lifeline.schedule`). The input is checked
 * against the workflow's inputSchema when the workflow is given as a definition that has one.
 */
export function resolveRuntimeSchedule(value: unknown): ScheduleDefinition {
  const path = 'lifeline.schedule';
  if (value === undefined) throw optionError(path, 'must be an object (got undefined)');
  const o = checkOptions(value, path, RUNTIME_FIELDS);
  const id = checkString(o['id'], `${path}.id`, 128);
  if (!RUNTIME_ID.test(id)) throw optionError(`${path}.id`, `must be 1-128 letters, digits, "_", ".", ":" or "-" (got ${describeValue(id)})`);
  const w = o['workflow'] as RuntimeScheduleOptions['workflow'] | undefined;
  const isDefinition = w !== null && typeof w === 'object' && typeof w.name === 'string';
  const workflow = isDefinition ? w.name : checkWorkflowName(w, `${path}.workflow`);
  const inputSchema = isDefinition ? w.options?.inputSchema : undefined;
  return { ...resolveTiming(o, path, { id, workflow }, inputSchema), source: 'runtime' };
}

function checkWorkflowName(value: unknown, path: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
  throw optionError(path, `must be a workflow from defineWorkflow or its name, a non-empty string of at most 256 characters (got ${describeValue(value)})`);
}

/** The fields every schedule has, from code or created at runtime. */
function resolveTiming(o: Record<string, unknown>, path: string, ids: { id: string; workflow: string }, inputSchema: ZodType | undefined): ScheduleDefinition {
  const cron = checkString(o['cron'], `${path}.cron`, 200);
  const timezone = o['timezone'] === undefined ? 'UTC' : checkString(o['timezone'], `${path}.timezone`, 100);
  if (!isKnownTimeZone(timezone))
    throw optionError(`${path}.timezone`, `is not a known IANA time zone, e.g. "UTC" or "Europe/Berlin" (got ${describeValue(timezone)})`);
  checkCron(cron, timezone, `${path}.cron`);
  const catchUp = o['catchUp'] === undefined ? 'skip' : checkOneOf(o['catchUp'], `${path}.catchUp`, CATCH_UP);
  const graceMs = o['grace'] === undefined ? DEFAULT_GRACE_MS : toMs(o['grace'] as Duration, `${path}.grace`);
  const maxCatchUp =
    o['maxCatchUp'] === undefined ? DEFAULT_MAX_CATCH_UP : checkNumber(o['maxCatchUp'], `${path}.maxCatchUp`, { min: 1, max: 10_000, integer: true });
  const input = o['input'] ?? null;
  const parsed = inputSchema?.safeParse(input);
  if (parsed && !parsed.success)
    throw optionError(`${path}.input`, `does not match the workflow's inputSchema: ${parsed.error.issues.map((x) => x.message).join('; ')}`);
  return { ...ids, cron, timezone, catchUp, input: toJson(input, `${path}.input`), graceMs, maxCatchUp };
}

function checkCron(cron: string, timezone: string, path: string): void {
  const fields = cronFieldCount(cron);
  if (fields !== 5 && fields !== 6) {
    throw optionError(path, `has ${fields} field(s): use 5 (minute hour day-of-month month day-of-week) or 6 (second first) (got ${describeValue(cron)})`);
  }
  try {
    new CronTicks(cron, timezone);
  } catch (error) {
    throw optionError(path, `is not a valid cron expression: ${error instanceof Error ? error.message : String(error)} (got ${describeValue(cron)})`);
  }
}
