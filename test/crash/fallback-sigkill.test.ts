// A fallback chain whose worker process is SIGKILLed mid-chain: a real `lifeline worker` child
// leaves alternative "a" (429) and is killed while "b" runs. This process takes the run over (its
// owner pid is dead) and resumes at "b": "a" never runs again, "c" is never needed, and the
// replay after the signal runs nothing. Every body execution is read from the side-effects file.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { tempDir } from '../helpers.js';
import { fallbackCrash } from '../fixtures/fallback-crash-workflow.js';
import { CLI_JS, ROOT, assertBuilt, until } from './harness.js';

const FIXTURE_JS = join(ROOT, 'build/test/fixtures/fallback-crash-workflow.js');

beforeAll(() => assertBuilt());
const tmp = tempDir('lifeline-fallback-kill-');
afterAll(() => tmp.cleanup());

it('resumes a SIGKILLed chain at the alternative that was running; a gave-up alternative never runs again', async () => {
  const db = join(tmp.dir, 'fallback.db');
  const sideEffects = join(tmp.dir, 'side-effects.txt');
  const lines = () => (existsSync(sideEffects) ? readFileSync(sideEffects, 'utf8').trim().split('\n') : []);
  const lifeline = await Lifeline.open({ db, workflows: [fallbackCrash] });
  try {
    const { runId } = await lifeline.start(fallbackCrash, undefined, { runId: 'killed-mid-chain' });
    const child = spawn(process.execPath, [CLI_JS, '--db', db, 'worker', FIXTURE_JS], {
      cwd: ROOT,
      env: { ...process.env, FALLBACK_SIDE_EFFECTS: sideEffects, FALLBACK_HANG_B: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const waiting = until(() => lines().some((l) => l.startsWith('b ')));
    await Promise.race([waiting.promise, exited.then(() => Promise.reject(new Error('the worker exited before running "b"')))]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const childPid = String(child.pid);
    expect(lines()).toEqual([`a ${childPid}`, `b ${childPid}`]);

    // This process takes over: its bodies append to the same file (and "b" answers here).
    process.env.FALLBACK_SIDE_EFFECTS = sideEffects;
    const waitingNow = new Promise<void>((resolve) => lifeline.events.on('event', (e) => e.type === 'run.waiting' && e.runId === runId && resolve()));
    lifeline.worker({ pollMs: 20, deadOwnerCheckMs: 20 }).start();
    await waitingNow;
    expect(lines()).toEqual([`a ${childPid}`, `b ${childPid}`, `b ${process.pid}`]);
    const rows = async () => (await lifeline.store.listAttempts(runId)).map((x) => [x.attempt, x.alternative, x.outcome, x.movedOn]);
    expect(await rows()).toEqual([
      [1, 'a', 'failed', 'rate_limit: HTTP 429, moved to b'],
      [2, 'b', 'interrupted', null],
      [3, 'b', 'succeeded', null],
    ]);

    await lifeline.signal(runId, 'go', null);
    expect(await lifeline.result(runId)).toEqual({ value: 'b answered', alternative: 'b' });
    expect(lines()).toHaveLength(3); // the replay ran nothing
    expect(await rows()).toHaveLength(3);
  } finally {
    delete process.env.FALLBACK_SIDE_EFFECTS;
    await lifeline.close();
  }
});
