// The one kit of the CLI tests: where the built CLI and its fixtures are, running `lifeline` to
// its end (spawnSync) or as a live child whose output a test waits on, and creating a run from
// another process as an application would. Every CLI test file uses these instead of its own copy.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'build/src/cli/main.js');

/** The compiled fixture `build/test/fixtures/<name>.js`. */
export function fixturePath(name: string): string {
  return join(ROOT, 'build/test/fixtures', `${name}.js`);
}

/** The CLI tests run the compiled CLI and fixtures: refuse a missing or stale build, saying how to make it. */
export function requireBuild(): void {
  assertFreshBuild();
}

/**
 * A test file's temporary directory, made in beforeAll (after requireBuild) and removed in
 * afterAll; `db` is the database `name` in it. Read them inside tests and hooks.
 */
export function useCliFiles(name: string, prefix?: string): { readonly dir: string; readonly db: string } {
  let tmp: ReturnType<typeof tempDir> | undefined;
  beforeAll(() => {
    requireBuild();
    tmp = tempDir(prefix);
  });
  afterAll(() => tmp?.cleanup());
  const dir = (): string => {
    if (tmp === undefined) throw new Error('useCliFiles: read before its beforeAll ran');
    return tmp.dir;
  };
  return {
    get dir() {
      return dir();
    },
    get db() {
      return join(dir(), name);
    },
  };
}

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

export interface CliOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Rewrites the argv before it runs (e.g. to run it as another user). */
  wrap?: (argv: string[]) => string[];
}

/** Runs `lifeline --db DB ARGS` to its end (30 s at most) and returns its exit code and output. */
export function runCli(db: string, args: string[], options: CliOptions = {}): CliResult {
  const argv = [process.execPath, CLI, '--db', db, ...args];
  const [cmd, ...rest] = options.wrap ? options.wrap(argv) : argv;
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', env: { ...process.env, ...options.env }, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `lifeline(args, env)` bound to the database a test file sets up (read when called). */
export function cliOn(db: () => string): (args: string[], env?: Record<string, string>) => CliResult {
  return (args, env = {}) => runCli(db(), args, { env });
}

/** Asserts a command's exit code, showing its stderr when it differs. */
export function expectCode(result: CliResult, code: number): void {
  expect(result.code, `exit code (stderr: ${result.err})`).toBe(code);
}

export interface CliChild {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as received. */
  out(): string;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  err(): string;
  exit: Promise<number | null>;
  /** Resolves once the output so far contains `text` (or matches it). */
  printed(text: string | RegExp): Promise<void>;
}

const live: ChildProcess[] = [];

/** Starts `node CLI ARGS` (give `--db` in ARGS) as a child with piped output; see killCliChildren. */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): CliChild {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.push(child);
  let out = '';
  let stdout = '';
  let err = '';
  const waiters: Array<{ text: string | RegExp; resolve: () => void }> = [];
  const seen = (text: string | RegExp) => (typeof text === 'string' ? out.includes(text) : text.test(out));
  const onData = (d: Buffer, isErr: boolean) => {
    out += d.toString();
    if (isErr) err += d.toString();
    else stdout += d.toString();
    for (const w of waiters.splice(0))
      if (seen(w.text)) w.resolve();
      else waiters.push(w);
  };
  child.stdout?.on('data', (d: Buffer) => onData(d, false));
  child.stderr?.on('data', (d: Buffer) => onData(d, true));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const printed = (text: string | RegExp) => new Promise<void>((resolve) => (seen(text) ? resolve() : waiters.push({ text, resolve })));
  return { child, out: () => out, stdout: () => stdout, err: () => err, exit, printed };
}

/** Starts `lifeline --db DB worker FIXTURE ...` and resolves once it says it runs workflows. */
export async function startWorker(db: string, workflowFile: string, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<CliChild> {
  const worker = startCli(['--db', db, 'worker', workflowFile, ...extra], env === undefined ? {} : { env });
  await worker.printed('running workflows');
  return worker;
}

/** For afterEach/afterAll: SIGKILLs every child startCli started that still runs. */
export function killCliChildren(): void {
  for (const c of live.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Creates a pending run in the database from another process, as an application would (no worker there). */
export function createRunElsewhere(db: string, run: { id: string; workflow: string; input?: unknown }): void {
  const input = run.input === undefined ? 'null' : JSON.stringify(run.input);
  const script = `import(${JSON.stringify(join(ROOT, 'build/src/index.js'))}).then(async ({ Lifeline }) => {
      const l = await Lifeline.open({ db: ${JSON.stringify(db)}, workflows: [] });
      await l.store.createRun({ id: ${JSON.stringify(run.id)}, workflow: ${JSON.stringify(run.workflow)}, input: ${JSON.stringify(input)}, now: Date.now() });
      await l.close();
    })`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}
