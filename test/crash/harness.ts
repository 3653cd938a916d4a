// Helpers for the SIGKILL tests: real `lifeline worker` processes on one SQLite file, a seeded
// PRNG for kill times, and the invariant checks run on the file afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { CRASH_STEP_IDS, expectedPipelineOutput } from '../fixtures/crash-workflow.js';
import { assertFreshBuild } from '../dist-build.js';
import { mulberry32 } from '../helpers.js';

export { mulberry32 };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_JS = join(ROOT, 'build/src/cli/main.js');
export const FIXTURE_JS = join(ROOT, 'build/test/fixtures/crash-workflow.js');

/** The tests run the compiled CLI and fixture: refuse to run against a missing or stale build. */
export function assertBuilt(): void {
  assertFreshBuild();
}

export interface Cancellable<T> {
  promise: Promise<T>;
  cancel(): void;
}

export function timer(ms: number): Cancellable<void> {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (handle = setTimeout(resolve, ms)));
  return { promise, cancel: () => clearTimeout(handle) };
}

/** Resolves when `condition()` holds, checking every `everyMs` (a condition poll, not a sleep). */
export function until(condition: () => boolean, everyMs = 20): Cancellable<void> {
  let handle: NodeJS.Timeout | undefined;
  let cancelled = false;
  const promise = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (cancelled) return;
      try {
        if (condition()) return resolve();
      } catch (error) {
        return reject(error as Error);
      }
      handle = setTimeout(check, everyMs);
    };
    check();
  });
  return {
    promise,
    cancel: () => {
      cancelled = true;
      clearTimeout(handle);
    },
  };
}

/** Polls an async condition (a condition poll, not a sleep). */
export async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25)); // the poll interval of a condition, not a wait for time
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  /** Spawn order, 0-based. */
  readonly index: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** stdout and stderr, interleaved as received. */
  output: string;
  stderr: string;
  /** Resolves once the worker printed that it runs (it is about to claim). */
  readonly ready: Promise<void>;
  readonly exit: Promise<Exit>;
  exited: boolean;
  killedBy: NodeJS.Signals | null;
}

/** Spawns `lifeline worker` processes on one database and keeps track of every one of them. */
export class WorkerPool {
  readonly all: WorkerProcess[] = [];

  constructor(
    private readonly db: string,
    private readonly sideEffects: string,
    private readonly extraArgs: string[],
    private readonly fixture: string = FIXTURE_JS,
    private readonly env: Record<string, string> = {},
  ) {}

  spawn(): WorkerProcess {
    const child = spawn(process.execPath, [CLI_JS, '--db', this.db, 'worker', this.fixture, ...this.extraArgs], {
      cwd: ROOT,
      env: { ...process.env, CRASH_SIDE_EFFECTS: this.sideEffects, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error('could not spawn a worker process');
    let markReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const proc: WorkerProcess = {
      index: this.all.length,
      pid: child.pid,
      child,
      output: '',
      stderr: '',
      ready,
      exit: new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
      exited: false,
      killedBy: null,
    };
    void proc.exit.then(() => (proc.exited = true));
    child.stdout?.on('data', (d: Buffer) => (proc.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      proc.output += d.toString();
      proc.stderr += d.toString();
      if (/running workflows/.test(proc.stderr)) markReady();
    });
    this.all.push(proc);
    return proc;
  }

  /** Sends `signal` and waits until the process is gone (reaped: its pid is dead for others). */
  async kill(proc: WorkerProcess, signal: NodeJS.Signals): Promise<Exit> {
    if (!proc.exited) {
      proc.killedBy ??= signal;
      proc.child.kill(signal);
    }
    return proc.exit;
  }

  byPid(pid: number): WorkerProcess | undefined {
    return this.all.find((p) => p.pid === pid);
  }

  /** For afterAll: SIGKILL whatever still runs, then wait for it to be gone. */
  async killAll(): Promise<void> {
    await Promise.all(this.all.filter((p) => !p.exited).map((p) => this.kill(p, 'SIGKILL')));
  }

  describe(): string {
    return this.all
      .map(
        (p) => `#${p.index} pid ${p.pid} killedBy=${p.killedBy ?? '-'}${p.stderr.trim() ? `\n    stderr: ${p.stderr.trim().split('\n').join('\n    ')}` : ''}`,
      )
      .join('\n  ');
  }
}

/** The pid in a worker id `${host}:${pid}:${suffix}`. */
export function pidOfWorkerId(workerId: string): number {
  const parts = workerId.split(':');
  return Number(parts[parts.length - 2]);
}

export interface CrashStats {
  interruptedAttempts: number;
  duplicateSideEffects: number;
  /** Killed processes with at least one attempt that the next claim found still running. */
  midStepKills: number;
  resumedRuns: number;
}

/**
 * Every invariant of a finished crash test, as a list of violations (empty when all hold).
 * `spawnOrderRule`: with one worker at a time, a process spawned after the committer of a step
 * must never have executed that step. With several at once the stronger file-order rule applies
 * alone: the committer's side-effect line is the last one of that step (nothing ran it after).
 */
export function checkInvariants(
  db: Database.Database,
  runIds: readonly string[],
  sideEffectsFile: string,
  pool: WorkerPool,
  options: { spawnOrderRule: boolean },
): { violations: string[]; stats: CrashStats } {
  const violations: string[] = [];
  const runs = db.prepare('SELECT id, status, output, claim_count FROM runs ORDER BY id').all() as Array<{
    id: string;
    status: string;
    output: string | null;
    claim_count: number;
  }>;
  if (runs.length !== runIds.length) violations.push(`expected ${runIds.length} runs, found ${runs.length}`);
  for (const run of runs) {
    if (run.status !== 'completed') violations.push(`run ${run.id} ended ${run.status}, not completed`);
    const output: unknown = run.output === null ? null : JSON.parse(run.output);
    if (JSON.stringify(output) !== JSON.stringify(expectedPipelineOutput(run.id))) {
      violations.push(`run ${run.id} output ${run.output} != expected ${JSON.stringify(expectedPipelineOutput(run.id))}`);
    }
  }

  const dup = db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT run_id || ' ' || step_id) AS d FROM step_results`).get() as { n: number; d: number };
  if (dup.n !== dup.d) violations.push(`step_results has ${dup.n} rows for ${dup.d} distinct (run, step)`);

  const stepsOf = db.prepare('SELECT step_id, status, attempts, kind FROM step_results WHERE run_id = ? ORDER BY seq');
  const attemptsOf = db.prepare('SELECT step_id, attempt, outcome, worker_id FROM attempts WHERE run_id = ? ORDER BY step_id, attempt');
  const lines = readSideEffects(sideEffectsFile);
  const effectsByStep = new Map<string, Array<{ order: number; pid: number }>>();
  for (const line of lines) {
    if (!pool.byPid(line.pid)) violations.push(`side effect from pid ${line.pid}, which the test never spawned: ${line.raw}`);
    const key = `${line.runId} ${line.stepId}`;
    const list = effectsByStep.get(key) ?? [];
    list.push({ order: line.order, pid: line.pid });
    effectsByStep.set(key, list);
  }

  const startsByStep = new Map<string, number[]>();
  for (const line of readSideEffects(`${sideEffectsFile}.starts`)) {
    const key = `${line.runId} ${line.stepId}`;
    startsByStep.set(key, [...(startsByStep.get(key) ?? []), line.attempt]);
  }

  let interruptedAttempts = 0;
  let duplicateSideEffects = 0;
  const interruptedPids = new Set<number>();
  for (const runId of runIds) {
    const steps = stepsOf.all(runId) as Array<{ step_id: string; status: string; attempts: number; kind: string }>;
    const ids = steps.map((s) => s.step_id);
    if (JSON.stringify(ids) !== JSON.stringify(CRASH_STEP_IDS))
      violations.push(`run ${runId} has steps ${ids.join(',')}, expected ${CRASH_STEP_IDS.join(',')}`);
    for (const s of steps) if (s.status !== 'completed') violations.push(`run ${runId} step ${s.step_id} is ${s.status}`);

    const attempts = attemptsOf.all(runId) as Array<{ step_id: string; attempt: number; outcome: string; worker_id: string }>;
    for (const a of attempts) {
      if (a.outcome === 'running') violations.push(`run ${runId} step ${a.step_id} attempt ${a.attempt} left running (worker ${a.worker_id})`);
      if (a.outcome === 'interrupted') {
        interruptedAttempts++;
        interruptedPids.add(pidOfWorkerId(a.worker_id));
      }
    }
    for (const s of steps.filter((x) => x.kind === 'step')) {
      const mine = attempts.filter((a) => a.step_id === s.step_id);
      const numbers = mine.map((a) => a.attempt);
      const contiguous = numbers.every((n, i) => n === i + 1);
      const outcomes = mine.map((a) => a.outcome);
      const shapeOk =
        contiguous && outcomes.length > 0 && outcomes.slice(0, -1).every((o) => o === 'interrupted') && outcomes[outcomes.length - 1] === 'succeeded';
      if (!shapeOk || s.attempts !== numbers.length) {
        violations.push(
          `run ${runId} step ${s.step_id}: attempts ${mine.map((a) => `${a.attempt}:${a.outcome}`).join(' ')} (step record says ${s.attempts}); expected 1..n, interrupted then one succeeded`,
        );
      }
      // Every execution that began has its own attempt row: no two executions saw one number.
      const began = startsByStep.get(`${runId} ${s.step_id}`) ?? [];
      const reused = began.filter((n, i) => began.indexOf(n) !== i);
      if (reused.length > 0)
        violations.push(
          `run ${runId} step ${s.step_id}: attempt number(s) ${reused.join(',')} given to more than one execution (executions saw ${began.join(',')})`,
        );
      const unrecorded = began.filter((n) => !numbers.includes(n));
      if (unrecorded.length > 0)
        violations.push(`run ${runId} step ${s.step_id}: execution(s) with attempt ${unrecorded.join(',')} left no attempt row (rows ${numbers.join(',')})`);
      if (began.length === 0) violations.push(`run ${runId} step ${s.step_id}: no execution logged its start`);
      const committed = mine.find((a) => a.outcome === 'succeeded');
      if (!committed) continue;
      const committerPid = pidOfWorkerId(committed.worker_id);
      const committer = pool.byPid(committerPid);
      const effects = effectsByStep.get(`${runId} ${s.step_id}`) ?? [];
      duplicateSideEffects += Math.max(0, effects.length - 1);
      if (!committer) {
        violations.push(`run ${runId} step ${s.step_id} committed by unknown pid ${committerPid}`);
        continue;
      }
      if (!effects.some((e) => e.pid === committerPid)) violations.push(`run ${runId} step ${s.step_id}: committer pid ${committerPid} left no side effect`);
      const last = effects[effects.length - 1];
      if (last && last.pid !== committerPid) {
        violations.push(`run ${runId} step ${s.step_id} ran again after its commit: last side effect from pid ${last.pid}, committed by pid ${committerPid}`);
      }
      if (options.spawnOrderRule) {
        for (const e of effects) {
          const by = pool.byPid(e.pid);
          if (by && by.index > committer.index) {
            violations.push(
              `run ${runId} step ${s.step_id} committed by worker #${committer.index} (pid ${committerPid}) but executed again by later worker #${by.index} (pid ${e.pid})`,
            );
          }
        }
      }
    }
  }
  const midStepKills = pool.all.filter((p) => p.killedBy === 'SIGKILL' && interruptedPids.has(p.pid)).length;
  const resumedRuns = runs.filter((r) => r.claim_count > 1).length;
  return { violations, stats: { interruptedAttempts, duplicateSideEffects, midStepKills, resumedRuns } };
}

function readSideEffects(file: string): Array<{ order: number; runId: string; stepId: string; pid: number; attempt: number; raw: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((raw, order) => {
      const [runId = '', stepId = '', pid = '', attempt = ''] = raw.split(' ');
      return { order, runId, stepId, pid: Number(pid), attempt: Number(attempt), raw };
    });
}

/** Fixture processes started from build/ (stdout and stderr inherited); `killAll` SIGKILLs those still running and waits for their exit. */
export class FixtureProcesses {
  private readonly procs: ChildProcess[] = [];

  constructor(private readonly fixture: string) {}

  start(env: Record<string, string>, args: readonly string[] = []): ChildProcess {
    const child = spawn(process.execPath, [this.fixture, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    this.procs.push(child);
    return child;
  }

  async killAll(): Promise<void> {
    await Promise.all(
      this.procs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const gone = new Promise((resolve) => p.once('exit', resolve));
        p.kill('SIGKILL');
        await gone;
      }),
    );
  }
}
