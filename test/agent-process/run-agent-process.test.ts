// runAgentProcess with real child processes (the fake agent in test/fixtures/fake-agent.ts):
// how it ends, what it reports, how it is stopped, and how the next attempt continues its work.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAgentProcess } from '../../src/agent-process/run-agent-process.js';
import { groupAlive } from '../../src/agent-process/process-group.js';
import { workspacePath } from '../../src/agent-process/workspace.js';
import { AgentProcessError } from '../../src/errors/agent-process-error.js';
import { InterruptedError } from '../../src/errors/interrupted-error.js';
import { classifyError } from '../../src/policy/classify.js';
import { ManualClock } from '../../src/time/clock.js';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';
import { until } from '../crash/harness.js';
import { fakeAgent, fileAppears, pgidIn, processRuns, rejectionOf, runsLog, startedGroups, testStep } from './agent-test-kit.js';

let tmp: { dir: string; cleanup: () => void };
const groups: number[] = [];
beforeAll(() => assertFreshBuild());
afterEach(() => {
  for (const pgid of [...groups.splice(0), ...startedGroups]) if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  startedGroups.clear();
  tmp?.cleanup();
});
function root(): string {
  tmp = tempDir('lifeline-agent-');
  return join(tmp.dir, 'ws');
}

describe('a process that succeeds', () => {
  it('text: stdout is the output; the workspace is removed (cleanup on_success)', async () => {
    const workspaceRoot = root();
    const step = testStep('run-1', 'fix#0', 1);
    const result = await runAgentProcess(step.info, { ...fakeAgent('--tasks', '2'), workspaceRoot });
    expect(result).toMatchObject({
      output: 'done: task-1,task-2\n',
      final: null,
      sessionId: null,
      turns: null,
      attempt: 1,
      continuation: null,
      ledgerEntry: null,
    });
    expect(result.checkpoint).toEqual({ completed: ['task-1', 'task-2'], next: [] });
    expect(existsSync(workspacePath(workspaceRoot, 'run-1', 'fix#0'))).toBe(false);
    expect(step.events.map((e) => e.kind)).toEqual(['started', 'checkpoint']);
  });

  it('json: the final object gives the answer, session, turns and the ledger entry', async () => {
    const step = testStep('run-1', 'fix#0', 1);
    const result = await runAgentProcess(step.info, {
      ...fakeAgent('--format', 'json', '--tasks', '2'),
      workspaceRoot: root(),
      parse: 'json',
      cleanup: 'never',
    });
    expect(result.output).toBe('done: task-1,task-2');
    expect(result.sessionId).toMatch(/^sess-\d+$/);
    expect(result.turns).toBe(2);
    expect(result.ledgerEntry).toEqual({
      source: 'agent-process',
      command: process.execPath,
      model: 'fake-model-1',
      costUsd: 0.025,
      inputTokens: 200,
      outputTokens: 40,
      cachedInputTokens: 10,
      turns: 2,
    });
    expect(existsSync(result.workspace)).toBe(true); // cleanup never
    expect(step.events.find((e) => e.kind === 'result')).toMatchObject({ costUsd: 0.025, turn: 2, detail: 'success' });
  });

  it('stream-json: session and turns become events as they arrive, capped at maxTurnEvents', async () => {
    const step = testStep('run-1', 'fix#0', 1);
    const result = await runAgentProcess(step.info, {
      ...fakeAgent('--format', 'stream-json', '--tasks', '5'),
      workspaceRoot: root(),
      parse: 'jsonl',
      maxTurnEvents: 2,
    });
    expect(result.turns).toBe(5);
    expect(result.ledgerEntry?.costUsd).toBe(0.0625);
    const kinds = step.events.map((e) => e.kind);
    expect(kinds).toEqual(['started', 'session', 'turn', 'turn', 'dropped', 'checkpoint', 'result']);
    expect(step.events[2]).toEqual({ kind: 'turn', turn: 1, detail: 'Working on task-1' });
    expect(step.events[4]?.detail).toBe('3 more turn event(s) not stored (maxTurnEvents 2)');
    expect(step.events[1]?.sessionId).toBe(result.sessionId);
  });

  it('stops what the agent left running in its group (a grandchild)', async () => {
    const step = testStep('run-1', 'fix#0', 1);
    const workspaceRoot = root();
    const result = await runAgentProcess(step.info, { ...fakeAgent('--spawn-child', '--tasks', '1'), workspaceRoot, cleanup: 'never' });
    const grandchild = Number(readFileSync(join(result.workspace, 'grandchild.pid'), 'utf8'));
    const pgid = Number(/^pid (\d+)/.exec(step.events[0]?.detail ?? '')?.[1]);
    groups.push(pgid);
    expect(processRuns(grandchild)).toBe(false);
    expect(groupAlive(pgid)).toBe(false);
  });
});

describe('how a failed process is classified', () => {
  const cases: Array<[string, string[], Record<string, unknown>, string, string]> = [
    ['exit 1 → logic', ['--exit', '1'], {}, 'logic', 'exit code 1'],
    ['exit 124 → timeout', ['--exit', '124'], {}, 'timeout', 'exit code 124 (timed out)'],
    ['exit 126 → configuration', ['--exit', '126'], {}, 'configuration', 'exit code 126 (not executable)'],
    ['exit 127 → configuration', ['--exit', '127'], {}, 'configuration', 'exit code 127 (command not found)'],
    ['exit 130 → interrupted', ['--exit', '130'], {}, 'interrupted', 'exit code 130 (SIGINT)'],
    ['exit 137 → interrupted', ['--exit', '137'], {}, 'interrupted', 'exit code 137 (SIGKILL)'],
    ['exit 143 → interrupted', ['--exit', '143'], {}, 'interrupted', 'exit code 143 (SIGTERM)'],
    ['an agent code from exitCodes', ['--exit', '3'], { exitCodes: { 3: 'validation' } }, 'validation', 'exit code 3'],
    ['headless input error (exit 2, json) → configuration', ['--format', 'json', '--exit', '2'], { parse: 'json' }, 'configuration', 'exit code 2'],
    ['headless turn limit → logic', ['--format', 'json', '--tasks', '3', '--max-turns', '1'], { parse: 'json' }, 'logic', 'agent reported error_max_turns'],
  ];
  for (const [title, flags, extra, errorClass, reason] of cases) {
    it(title, async () => {
      const error = await rejectionOf(
        runAgentProcess(testStep('r', 's#0', 1).info, { ...fakeAgent(...flags, '--tasks', '1'), workspaceRoot: root(), ...extra }),
      );
      expect(error).toBeInstanceOf(AgentProcessError);
      expect(error).toMatchObject({ errorClass, reason });
      expect(classifyError(error).errorClass).toBe(errorClass);
    });
  }

  it('the stderr tail is in the message, with secrets redacted', async () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';
    const error = await rejectionOf(
      runAgentProcess(testStep('r', 's#0', 1).info, {
        ...fakeAgent('--exit', '1', '--stderr', `auth failed for ${key} and hunter2secret`),
        workspaceRoot: root(),
        env: { MY_PASSWORD: 'hunter2secret' },
      }),
    );
    expect(error.message).toBe(`Agent process "${process.execPath}" failed (exit code 1): auth failed for [REDACTED] and [REDACTED]`);
    expect(error.message).not.toContain('hunter2');
  });

  it('a missing program (ENOENT) and a file that is not executable (EACCES) are configuration', async () => {
    const workspaceRoot = root();
    const missing = await rejectionOf(runAgentProcess(testStep('r', 's#0', 1).info, { command: 'no-such-agent-xyz', workspaceRoot }));
    expect(missing).toMatchObject({ errorClass: 'configuration', reason: 'ENOENT (command not found)' });
    const script = join(tmp.dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const denied = await rejectionOf(runAgentProcess(testStep('r', 's#1', 1).info, { command: script, workspaceRoot }));
    expect(denied).toMatchObject({ errorClass: 'configuration', reason: 'EACCES (not executable)' });
  });

  it('cleanup: always removes the workspace after a non-retryable failure, on_success keeps it', async () => {
    const workspaceRoot = root();
    await rejectionOf(runAgentProcess(testStep('r', 'a#0', 1).info, { ...fakeAgent('--exit', '1'), workspaceRoot, cleanup: 'always' }));
    expect(existsSync(workspacePath(workspaceRoot, 'r', 'a#0'))).toBe(false);
    await rejectionOf(runAgentProcess(testStep('r', 'b#0', 1).info, { ...fakeAgent('--exit', '1'), workspaceRoot }));
    expect(existsSync(workspacePath(workspaceRoot, 'r', 'b#0'))).toBe(true);
    await rejectionOf(runAgentProcess(testStep('r', 'c#0', 1).info, { ...fakeAgent('--exit', '130'), workspaceRoot, cleanup: 'always' }));
    expect(existsSync(workspacePath(workspaceRoot, 'r', 'c#0'))).toBe(true); // interrupted: the retry continues in it
  });
});

describe('stopping the process group', () => {
  it("the step's signal stops the group; the next attempt continues from the checkpoint and resumes the session", async () => {
    const workspaceRoot = root();
    const ws = workspacePath(workspaceRoot, 'run-9', 'fix#0');
    const first = testStep('run-9', 'fix#0', 1);
    const options = { ...fakeAgent('--format', 'stream-json', '--tasks', '2', '--hang-after', '1', '--spawn-child'), workspaceRoot, parse: 'jsonl' as const };
    const running = runAgentProcess(first.info, options);
    await fileAppears(join(ws, 'hanging'));
    const pgid = pgidIn(ws);
    groups.push(pgid);
    const reason = new InterruptedError('worker is shutting down');
    first.abort(reason);
    expect(await rejectionOf(running)).toBe(reason);
    expect(groupAlive(pgid)).toBe(false);
    expect(existsSync(join(ws, '.lifeline-agent', 'process.json'))).toBe(false);
    const session = readFileSync(join(ws, '.lifeline-agent', 'session'), 'utf8');

    const second = testStep('run-9', 'fix#0', 2);
    const result = await runAgentProcess(second.info, { ...options, cleanup: 'never' });
    expect(result.continuation).toEqual({ checkpoint: { completed: ['task-1'], next: ['task-2'] }, sessionId: session });
    expect(result.output).toBe('done: task-1,task-2');
    expect(result.sessionId).toBe(session);
    const log = runsLog(ws);
    expect(log[0]).toMatch(/^\d+ 1 start 0$/);
    expect(log[1]).toMatch(new RegExp(`^\\d+ 2 start 1 resume ${session}$`));
    expect(second.events[0]).toMatchObject({ kind: 'checkpoint', detail: 'handed to this attempt', checkpoint: { completed: ['task-1'] } });
  });

  it('a process that ignores SIGTERM is killed after the grace period (on the injected clock)', async () => {
    const clock = new ManualClock();
    const workspaceRoot = root();
    const ws = workspacePath(workspaceRoot, 'r', 'stubborn#0');
    const step = testStep('r', 'stubborn#0', 1);
    const running = rejectionOf(runAgentProcess(step.info, { ...fakeAgent('--ignore-term', '--hang-after', '0'), workspaceRoot, gracePeriod: '30s', clock }));
    await fileAppears(join(ws, 'hanging'));
    const pgid = pgidIn(ws);
    groups.push(pgid);
    step.abort(new InterruptedError('cancel test'));
    await fileAppears(join(ws, 'term-received'));
    expect(groupAlive(pgid)).toBe(true); // SIGTERM ignored, the grace has not passed
    await clock.advance(29_999);
    expect(groupAlive(pgid)).toBe(true);
    await clock.advance(1);
    expect((await running).message).toBe('Interrupted: cancel test');
    expect(groupAlive(pgid)).toBe(false);
  });

  it('its own timeout stops the group and fails the attempt with class timeout', async () => {
    const clock = new ManualClock();
    const workspaceRoot = root();
    const ws = workspacePath(workspaceRoot, 'r', 'slow#0');
    const running = rejectionOf(runAgentProcess(testStep('r', 'slow#0', 1).info, { ...fakeAgent('--hang-after', '0'), workspaceRoot, timeout: '10m', clock }));
    await fileAppears(join(ws, 'hanging'));
    const pgid = pgidIn(ws);
    groups.push(pgid);
    await clock.advance(600_000);
    const error = await running;
    expect(error).toMatchObject({ errorClass: 'timeout', message: `Agent process "${process.execPath}" failed (ran past its timeout of 600000 ms)` });
    await until(() => !groupAlive(pgid)).promise;
  });

  it('a group an earlier attempt left running (its worker died) is stopped before the next attempt starts', async () => {
    const workspaceRoot = root();
    const ws = workspacePath(workspaceRoot, 'r', 'orphan#0');
    // The first attempt's "worker" stops watching without stopping the process: an orphan.
    const first = testStep('r', 'orphan#0', 1);
    void runAgentProcess(first.info, { ...fakeAgent('--tasks', '2', '--hang-after', '1', '--ignore-term'), workspaceRoot, gracePeriod: 0 }).catch(() => {});
    await fileAppears(join(ws, 'hanging'));
    const pgid = pgidIn(ws);
    groups.push(pgid);
    const second = testStep('r', 'orphan#0', 2);
    const result = await runAgentProcess(second.info, { ...fakeAgent('--tasks', '2', '--hang-after', '1'), workspaceRoot, gracePeriod: 0 });
    expect(groupAlive(pgid)).toBe(false);
    expect(second.events[0]).toEqual({ kind: 'orphan_killed', detail: `process group ${pgid} of attempt 1: killed` });
    expect(result.output).toBe('done: task-1,task-2\n');
  });
});
