// Starts the built `lifeline dashboard` command as a user would, on an ephemeral port, and waits
// for the line that says where it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
export const CLI = join(root, 'build/src/cli/main.js');

export interface DashboardProcess {
  url: string;
  child: ChildProcess;
  stop: () => Promise<number | null>;
}

export function startDashboardProcess(db: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DashboardProcess> {
  const child = spawn(process.execPath, [CLI, '--db', db, 'dashboard', '--port', '0', '--poll-ms', '50', ...extra], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((resolveStart, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /dashboard on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolveStart({ url, child, stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((code) => reject(new Error(`lifeline dashboard exited with ${code} before listening: ${err}`)));
  });
}
