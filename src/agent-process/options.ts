// The options of runAgentProcess / agentStep, checked up front: a bad option fails the step with
// InvalidOptionsError (class configuration, not retried) before any process starts.
import { resolve } from 'node:path';
import { isErrorClass, type ErrorClass } from '../errors/error-class.js';
import {
  checkArray,
  checkBoolean,
  checkHasMethods,
  checkNumber,
  checkObject,
  checkOneOf,
  checkOptions,
  checkString,
  optionError,
  describeValue,
} from '../options/option-check.js';
import { systemClock, type Clock } from '../time/clock.js';
import { toMs, type Duration } from '../workflow/duration.js';

export const CLEANUP_POLICIES = ['always', 'on_success', 'never'] as const;
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];
export const OUTPUT_FORMATS = ['text', 'json', 'jsonl'] as const;
/** text: stdout as is; json: one final object (`--output-format json`); jsonl: a stream of JSON lines (`stream-json`). */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface AgentProcessOptions {
  /** The program to run (looked up on PATH); no shell is involved. */
  command: string;
  args?: readonly string[];
  /** Added to the child's environment (and redacted from its stderr and events when `secret`). */
  env?: Readonly<Record<string, string>>;
  /** Start from this process's environment. Default true (agents need their API keys). */
  inheritEnv?: boolean;
  /** Workspaces live in `<workspaceRoot>/<runId>/<stepId>`. Default `.lifeline/workspaces` (from the current directory). */
  workspaceRoot?: string;
  /** The process's own deadline: past it the group is killed and the attempt fails with class timeout. */
  timeout?: Duration;
  /** Between SIGTERM and SIGKILL of the process group. Default 5s. */
  gracePeriod?: Duration;
  /** When the workspace is removed: after success and non-retryable failures (always), after success (on_success, default), never. */
  cleanup?: CleanupPolicy;
  /** Where the agent leaves its checkpoint, relative to the workspace. Default `lifeline-checkpoint.json`. */
  checkpointFile?: string;
  /** How stdout is read. Default text. */
  parse?: OutputFormat;
  /** Passed with the session id when an earlier attempt reported one. Default `--resume`; null: never. */
  resumeArg?: string | null;
  /** The agent's own exit codes and their class, e.g. `{ 3: 'logic' }` for a turn limit. Overrides the defaults. */
  exitCodes?: Readonly<Record<number, ErrorClass>>;
  /** At most this many turn events are stored per attempt (the rest are counted). Default 20. */
  maxTurnEvents?: number;
  /** How much of stderr's end goes into the error, in characters. Default 2000. */
  stderrTailChars?: number;
  /** Values never stored or logged (API keys passed in `env` are added automatically when they look secret). */
  secrets?: readonly string[];
  /** Injected time for the deadline and the grace period. Default the system clock. */
  clock?: Clock;
}

export interface ResolvedAgentOptions {
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  inheritEnv: boolean;
  workspaceRoot: string;
  timeoutMs: number | undefined;
  graceMs: number;
  cleanup: CleanupPolicy;
  checkpointFile: string;
  parse: OutputFormat;
  resumeArg: string | null;
  exitCodes: ReadonlyMap<number, ErrorClass>;
  maxTurnEvents: number;
  stderrTailChars: number;
  secrets: readonly string[];
  clock: Clock;
}

const WHERE = 'agentProcess';
const MAX_ARG = 131_072;

const stringList = (value: unknown, path: string) => checkArray(value, path).forEach((a, i) => checkString(a, `${path}[${i}]`, MAX_ARG));
const duration = (value: unknown, path: string) => void toMs(value as Duration, path);

const FIELDS = {
  command: (value: unknown, path: string) => void checkString(value, path, 4096),
  args: (value: unknown, path: string) => checkArray(value, path).forEach((a, i) => checkArgument(a, `${path}[${i}]`)),
  env: (value: unknown, path: string) => {
    for (const [key, v] of Object.entries(checkObject(value, path))) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw optionError(`${path}.${key}`, 'must be a variable name of letters, digits and _');
      if (typeof v !== 'string' || v.includes('\0')) throw optionError(`${path}.${key}`, `must be a string without NUL (got ${describeValue(v)})`);
    }
  },
  inheritEnv: (value: unknown, path: string) => void checkBoolean(value, path),
  workspaceRoot: (value: unknown, path: string) => void checkString(value, path, 4096),
  timeout: duration,
  gracePeriod: duration,
  cleanup: (value: unknown, path: string) => void checkOneOf(value, path, CLEANUP_POLICIES),
  checkpointFile: (value: unknown, path: string) => checkRelativeFile(value, path),
  parse: (value: unknown, path: string) => void checkOneOf(value, path, OUTPUT_FORMATS),
  resumeArg: (value: unknown, path: string) => value === null || void checkString(value, path, 256),
  exitCodes: (value: unknown, path: string) => {
    for (const [code, cls] of Object.entries(checkObject(value, path))) {
      if (!/^\d+$/.test(code) || Number(code) > 255) throw optionError(`${path}.${code}`, 'must be an exit code from 0 to 255');
      if (code === '0') throw optionError(`${path}.0`, 'exit code 0 is success and cannot be given a class');
      if (!isErrorClass(cls)) throw optionError(`${path}.${code}`, `must be an error class (got ${describeValue(cls)})`);
    }
  },
  maxTurnEvents: (value: unknown, path: string) => void checkNumber(value, path, { min: 0, max: 10_000, integer: true }),
  stderrTailChars: (value: unknown, path: string) => void checkNumber(value, path, { min: 0, max: 1_000_000, integer: true }),
  secrets: stringList,
  clock: (value: unknown, path: string) => checkHasMethods(value, path, ['now', 'sleep', 'setTimer'], 'a Clock'),
};

/** An argument may be empty (a real CLI can take ""), but never holds NUL. */
function checkArgument(value: unknown, path: string): void {
  if (typeof value !== 'string' || value.includes('\0') || value.length > MAX_ARG) {
    throw optionError(path, `must be a string of at most ${MAX_ARG} characters without NUL (got ${describeValue(value)})`);
  }
}

/** Inside the workspace: relative, no `..` segment. */
function checkRelativeFile(value: unknown, path: string): void {
  const file = checkString(value, path, 1024);
  if (file.startsWith('/') || file.split(/[\\/]/).includes('..')) {
    throw optionError(path, `must be a path inside the workspace, relative and without ".." (got ${describeValue(file)})`);
  }
}

/** Validates `options` (every problem names its field) and fills in the defaults. */
export function resolveAgentOptions(options: unknown): ResolvedAgentOptions {
  if (options === undefined) throw optionError(WHERE, 'must be an object (got undefined)');
  const o = checkOptions(options, WHERE, FIELDS) as unknown as AgentProcessOptions;
  if (o.command === undefined) throw optionError(`${WHERE}.command`, 'is required (the program to run)');
  const graceMs = o.gracePeriod === undefined ? 5000 : toMs(o.gracePeriod, `${WHERE}.gracePeriod`);
  return {
    command: o.command,
    args: [...(o.args ?? [])],
    env: { ...(o.env ?? {}) },
    inheritEnv: o.inheritEnv ?? true,
    workspaceRoot: resolve(o.workspaceRoot ?? '.lifeline/workspaces'),
    timeoutMs: o.timeout === undefined ? undefined : toMs(o.timeout, `${WHERE}.timeout`),
    graceMs,
    cleanup: o.cleanup ?? 'on_success',
    checkpointFile: o.checkpointFile ?? 'lifeline-checkpoint.json',
    parse: o.parse ?? 'text',
    resumeArg: o.resumeArg === undefined ? '--resume' : o.resumeArg,
    exitCodes: new Map(Object.entries(o.exitCodes ?? {}).map(([code, cls]) => [Number(code), cls])),
    maxTurnEvents: o.maxTurnEvents ?? 20,
    stderrTailChars: o.stderrTailChars ?? 2000,
    secrets: [...(o.secrets ?? []), ...secretLookingEnv(o.env ?? {})],
    clock: o.clock ?? systemClock,
  };
}

/** Values of variables whose names say they are secret (OPENAI_API_KEY, GITHUB_TOKEN, ...). */
function secretLookingEnv(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env)
    .filter(([key]) => /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i.test(key))
    .map(([, value]) => value);
}
