// The reproduction with real processes: `lifeline run` executes a workflow whose code
// blocks the event loop before its first step; while it spins, a second process (`lifeline
// worker`) takes the run over once the lease lapsed and commits the step. When the first process
// goes on, it must not execute the step body again. Synchronised on files and the database,
// never on durations.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../crash/harness.js';
import { tempDir } from '../helpers.js';
import { fixturePath, requireBuild, startCli, killCliChildren } from './kit.js';

const fixture = fixturePath('stall-workflows');

const cleanups: Array<() => void> = [];
afterEach(() => {
  killCliChildren();
  for (const c of cleanups.splice(0)) c();
});

const start = (args: string[], env: Record<string, string>) => startCli(args, { env: { ...process.env, ...env } });

describe('a `lifeline run` process whose workflow code stalls past its lease', () => {
  it('does not execute the step that a second worker took over and committed', async () => {
    requireBuild();
    const tmp = tempDir('lifeline-stalled-run-');
    cleanups.push(tmp.cleanup);
    const db = join(tmp.dir, 'stall.db');
    const env = { STALL_DIR: tmp.dir };
    const a = start(['--db', db, 'run', fixture, '-w', 'stall.busy-first-time', '--run-id', 'stall-1'], env);
    await until(() => existsSync(join(tmp.dir, 'spun'))).promise; // A is spinning now

    const b = start(['--db', db, 'worker', fixture, '-q'], env);
    const observer = new Database(db, { readonly: true, fileMustExist: true });
    cleanups.push(() => observer.close());
    const status = () => (observer.prepare('SELECT status FROM runs WHERE id = ?').get('stall-1') as { status: string }).status;
    await until(() => status() === 'completed').promise; // B took over (after A's lease lapsed) and committed

    writeFileSync(join(tmp.dir, 'release'), ''); // A goes on to the step
    const code = await a.exit;
    b.child.kill('SIGTERM');
    await b.exit;

    const executions = readFileSync(join(tmp.dir, 'executions'), 'utf8').trim().split('\n');
    // Without the fenced start: two lines, B's and then A's ("<pid A> 1" after the commit).
    expect(executions, a.out()).toEqual([`${b.child.pid} 1`]);
    expect(code, a.out()).toBe(0); // the run completed (by B): `run` reports its output
    expect(a.out()).toContain('charged');
    const attempts = observer.prepare('SELECT step_id, attempt, outcome FROM attempts WHERE run_id = ?').all('stall-1');
    expect(attempts).toEqual([{ step_id: 'charge#0', attempt: 1, outcome: 'succeeded' }]);
  }, 30_000);
});
