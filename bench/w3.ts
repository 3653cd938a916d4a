// W3: crash and resume through the CLI. A child `lifeline run` executes a 100-step run (each step
// appends a line, then sleeps 20 ms); it is SIGKILLed once the file has ~50 lines. Then
// `lifeline resume X FILE` is spawned and timed from spawn to the first line a step appends.
// The store is a SQLite file by default; pg-w3.ts passes a PostgreSQL backend (W3-PG).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { median, round, ROOT, tempDir } from './common.js';
import type { W3Input } from './fixtures/w3-workflow.js';

const CLI = join(ROOT, 'build', 'src', 'cli', 'main.js');
const WORKFLOW = join(ROOT, 'build', 'bench', 'fixtures', 'w3-workflow.js');

export interface W3Rep {
  linesAtKill: number;
  committedBeforeKill: number;
  inFlightAtKill: string[];
  resumeToFirstLineMs: number;
  resumeExitCode: number | null;
  resumeTotalMs: number;
  /** Steps committed before the kill that executed again after it (must be 0). */
  completedStepsReExecuted: number;
  /** The step in flight at the kill executed again (at-least-once). */
  inFlightReExecuted: number;
  stepsWithAnyLine: number;
  /** idempotent mode: effect files (one per key) and steps whose effect happened more than once. */
  effects?: number;
  duplicateEffects?: number;
  /** idempotent mode: attempts that found their key's effect already done. */
  skippedEffects?: number;
  runStatus: string;
}

export interface W3Variant {
  mode: 'plain' | 'idempotent';
  reps: W3Rep[];
  resumeToFirstLineMs: number;
  completedStepsReExecuted: number;
  inFlightReExecuted: number;
  duplicateEffects?: number;
}

export interface W3Result {
  steps: number;
  sleepMs: number;
  killAtLines: number;
  plain: W3Variant;
  idempotent: W3Variant;
  /** Start-up cost references: bare `node -e 0`, and the CLI printing --help (module graph only). */
  startup: { nodeBareMs: number; cliHelpMs: number };
}

/** Where the run lives: the --db location of a repetition, and how to read it back afterwards. */
export interface W3Backend {
  /** The --db location for the run `runId` of one repetition (`dir` is the repetition's temp dir). */
  db(dir: string, runId: string): Promise<string>;
  /** The run's status and its attempt rows (ordered by id), read after the resume exited. */
  read(db: string, runId: string): Promise<{ status: string; attempts: AttemptRow[] }>;
  /** Called once the repetition is over (e.g. drop the schema). */
  cleanup?(db: string): Promise<void>;
}

export interface AttemptRow {
  step_id: string;
  attempt: number;
  outcome: string;
  worker_id: string;
}

export const sqliteW3: W3Backend = {
  db: (dir) => Promise.resolve(join(dir, 'w3.db')),
  read(db, runId) {
    const conn = new Database(db, { readonly: true });
    try {
      const status = (conn.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string }).status;
      const attempts = conn.prepare('SELECT step_id, attempt, outcome, worker_id FROM attempts WHERE run_id = ? ORDER BY id').all(runId) as AttemptRow[];
      return Promise.resolve({ status, attempts });
    } finally {
      conn.close();
    }
  },
};

interface Line {
  stepId: string;
  at: number;
  what: string;
}

function readLines(path: string): Line[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [stepId = '', at = '0', what = ''] = l.split(' ');
      return { stepId, at: Number(at), what };
    });
}

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function rep(backend: W3Backend, mode: 'plain' | 'idempotent', index: number, steps: number, sleepMs: number, killAt: number): Promise<W3Rep> {
  const tmp = tempDir('w3');
  const runId = `w3-${mode}-${index}`;
  const db = await backend.db(tmp.dir, runId);
  try {
    const log = join(tmp.dir, 'steps.log');
    const effectsDir = join(tmp.dir, 'effects');
    mkdirSync(effectsDir);
    const input: W3Input = { log, effectsDir, mode, steps, sleepMs };

    const first = spawn(process.execPath, [CLI, '--db', db, 'run', WORKFLOW, '--run-id', runId, '-q', '-i', JSON.stringify(input)], { stdio: 'ignore' });
    const firstExit = exited(first);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (countLines(log) >= killAt) {
          clearInterval(timer);
          first.kill('SIGKILL');
          resolve();
        } else if (first.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`W3: the run process exited (${first.exitCode}) before ${killAt} lines`));
        }
      }, 2);
    });
    await firstExit; // reaped: its pid is dead, so the resume takes the lease over at once
    const before = readLines(log);

    let stderr = '';
    const spawnedAt = Date.now();
    const t0 = performance.now();
    // BENCH_RESUME_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the resume process.
    const nodeArgs = (process.env.BENCH_RESUME_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const second = spawn(process.execPath, [...nodeArgs, CLI, '--db', db, 'resume', runId, WORKFLOW], { stdio: ['ignore', 'ignore', 'pipe'] });
    second.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await exited(second);
    const resumeTotalMs = performance.now() - t0;
    if (code !== 0) throw new Error(`W3: resume exited with ${code}: ${stderr}`);
    const after = readLines(log).slice(before.length);
    const firstNew = after[0];
    if (!firstNew) throw new Error('W3: the resume appended no line');

    // What the store says: which steps the killed process had committed.
    const { status: runStatus, attempts } = await backend.read(db, runId);
    const firstWorker = attempts.find((a) => a.worker_id.includes(`:${first.pid}:`))?.worker_id;
    const committedBefore = new Set(attempts.filter((a) => a.worker_id === firstWorker && a.outcome === 'succeeded').map((a) => a.step_id));
    const ranBefore = new Set(before.map((l) => l.stepId));
    const inFlight = [...ranBefore].filter((s) => !committedBefore.has(s));
    const afterCount = new Map<string, number>();
    for (const l of after) afterCount.set(l.stepId, (afterCount.get(l.stepId) ?? 0) + 1);
    const completedStepsReExecuted = [...committedBefore].filter((s) => (afterCount.get(s) ?? 0) > 0).length;
    const inFlightReExecuted = inFlight.filter((s) => (afterCount.get(s) ?? 0) > 0).length;
    const all = readLines(log);

    const result: W3Rep = {
      linesAtKill: before.length,
      committedBeforeKill: committedBefore.size,
      inFlightAtKill: inFlight,
      resumeToFirstLineMs: round(firstNew.at - spawnedAt, 1),
      resumeExitCode: code,
      resumeTotalMs: round(resumeTotalMs, 1),
      completedStepsReExecuted,
      inFlightReExecuted,
      stepsWithAnyLine: new Set(all.map((l) => l.stepId)).size,
      runStatus,
    };
    if (mode === 'idempotent') {
      const effectLines = new Map<string, number>();
      for (const l of all) if (l.what === 'effect') effectLines.set(l.stepId, (effectLines.get(l.stepId) ?? 0) + 1);
      result.effects = readdirSync(effectsDir).length;
      result.skippedEffects = all.filter((l) => l.what === 'skip').length;
      result.duplicateEffects = [...effectLines.values()].filter((n) => n > 1).length + Math.max(0, result.effects - steps);
    }
    return result;
  } finally {
    tmp.cleanup();
    await backend.cleanup?.(db);
  }
}

function timeSpawn(args: string[], times = 5): number {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`W3: ${args.join(' ')} exited ${r.status}`);
    ms.push(performance.now() - t0);
  }
  return round(median(ms), 1);
}

async function variant(backend: W3Backend, mode: 'plain' | 'idempotent', reps: number, steps: number, sleepMs: number, killAt: number): Promise<W3Variant> {
  const results: W3Rep[] = [];
  for (let i = 0; i < reps; i++) results.push(await rep(backend, mode, i, steps, sleepMs, killAt));
  return {
    mode,
    reps: results,
    resumeToFirstLineMs: round(median(results.map((r) => r.resumeToFirstLineMs)), 1),
    completedStepsReExecuted: Math.max(...results.map((r) => r.completedStepsReExecuted)),
    inFlightReExecuted: Math.max(...results.map((r) => r.inFlightReExecuted)),
    ...(mode === 'idempotent' ? { duplicateEffects: Math.max(...results.map((r) => r.duplicateEffects ?? 0)) } : {}),
  };
}

export async function benchW3(reps = 3, steps = 100, sleepMs = 20, killAt = 50, backend: W3Backend = sqliteW3): Promise<W3Result> {
  return {
    steps,
    sleepMs,
    killAtLines: killAt,
    plain: await variant(backend, 'plain', reps, steps, sleepMs, killAt),
    idempotent: await variant(backend, 'idempotent', reps, steps, sleepMs, killAt),
    startup: { nodeBareMs: timeSpawn(['-e', '0']), cliHelpMs: timeSpawn([CLI, '--help']) },
  };
}
