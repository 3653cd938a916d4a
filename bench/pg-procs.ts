// Worker processes for the PostgreSQL workloads: `node build/src/cli/main.js --db URL worker FILE -q ...`.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './common.js';

export const CLI = join(ROOT, 'build', 'src', 'cli', 'main.js');

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Epoch ms at which the process said `worker ... running workflows` (right after worker.start()). */
  ready: Promise<number>;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

export function spawnWorker(db: string, file: string, extra: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [CLI, '--db', db, 'worker', file, '-q', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  const done = exited(child);
  const ready = new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      const at = Date.now();
      text += d.toString();
      if (/running workflows/.test(text)) resolve(at);
    });
    void done.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${text}`)));
  });
  ready.catch(() => {}); // observed by the caller; never an unhandled rejection
  if (child.pid === undefined) throw new Error('could not spawn a worker process');
  return { child, pid: child.pid, ready, stderr: () => text, exited: done };
}

/** SIGTERM (graceful: the worker releases its leases), SIGKILL after `ms`. */
export async function stopWorker(w: WorkerProcess, ms = 15_000): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  const timer = setTimeout(() => w.child.kill('SIGKILL'), ms);
  await w.exited;
  clearTimeout(timer);
}
