// agentStep in a real engine (SQLite file, real worker, real agent process): an agent interrupted
// with SIGINT exits 130, the step is retried as interrupted, and the next attempt continues in the
// same workspace from the checkpoint; what the agent reported is in the run's stored events.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { agentStep } from '../../src/agent-process/agent-step.js';
import { workspacePath } from '../../src/agent-process/workspace.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { assertFreshBuild } from '../dist-build.js';
import { startEngine, tempDir, type TestEngine } from '../helpers.js';
import { fakeAgent, fileAppears, pgidIn } from './agent-test-kit.js';

let engine: TestEngine | undefined;
const tmp = tempDir('lifeline-agent-step-');
beforeAll(() => assertFreshBuild());
afterEach(async () => {
  await engine?.close();
  tmp.cleanup();
});

const workspaceRoot = join(tmp.dir, 'ws');
const wf = defineWorkflow(
  'agent.sigint',
  async (ctx) => {
    const r = await agentStep(ctx, 'fix', { ...fakeAgent('--format', 'stream-json', '--tasks', '2', '--hang-after', '1'), parse: 'jsonl', workspaceRoot });
    return { output: r.output, attempt: r.attempt, continuation: r.continuation, cost: r.ledgerEntry?.costUsd };
  },
  { retry: { initialDelayMs: 0, maxDelayMs: 0 } },
);

it('SIGINT to the agent: interrupted, retried, resumed in its workspace from its checkpoint and session', async () => {
  engine = await startEngine({ workflows: [wf] });
  const run = await engine.lifeline.start(wf, undefined, { runId: 'sigint-1' });
  const ws = workspacePath(workspaceRoot, 'sigint-1', 'fix#0');
  await fileAppears(join(ws, 'hanging'));
  process.kill(-pgidIn(ws), 'SIGINT');
  const output = (await run.result()) as { output: string; attempt: number; continuation: { checkpoint: unknown; sessionId: string } };
  expect(output).toMatchObject({ output: 'done: task-1,task-2', attempt: 2, continuation: { checkpoint: { completed: ['task-1'], next: ['task-2'] } } });
  expect(output.continuation.sessionId).toMatch(/^sess-\d+$/);
  expect(existsSync(ws)).toBe(false); // on_success

  const attempts = await engine.lifeline.store.listAttempts('sigint-1');
  expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass])).toEqual([
    [1, 'failed', 'interrupted'],
    [2, 'succeeded', null],
  ]);
  const stored = await engine.lifeline.store.listEvents({ runId: 'sigint-1' });
  const agent = stored.filter((e) => e.type === 'step.agent_event').map((e) => JSON.parse(e.data) as { attempt: number; kind: string; detail?: string });
  expect(agent.map((e) => `${e.attempt}:${e.kind}`)).toEqual([
    '1:started',
    '1:session',
    '1:turn',
    '1:checkpoint',
    '1:exited',
    '2:checkpoint',
    '2:started',
    '2:session',
    '2:turn',
    '2:checkpoint',
    '2:result',
  ]);
  expect(agent[4]?.detail).toBe('interrupted: exit code 130 (SIGINT)');
});
