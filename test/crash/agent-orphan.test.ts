// A worker SIGKILLed while its step runs an agent process: the agent's process group (the agent
// and a grandchild) outlives it, an orphan. The next worker to claim the run must stop that group
// before the step's next attempt, continue in the same workspace, and leave no process or
// workspace behind. Real `lifeline worker` processes, real agent processes, real signals.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { groupAlive } from '../../src/agent-process/process-group.js';
import { workspacePath } from '../../src/agent-process/workspace.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { agentOrphanWorkflow } from '../fixtures/agent-workflow.js';
import { tempDir } from '../helpers.js';
import { fileAppears, pgidIn, processRuns } from '../agent-process/agent-test-kit.js';
import { assertBuilt, ROOT, WorkerPool } from './harness.js';

const AGENT_FIXTURE_JS = join(ROOT, 'build/test/fixtures/agent-workflow.js');
const tmp = tempDir('lifeline-agent-orphan-');
const pool = new WorkerPool(join(tmp.dir, 'orphan.db'), join(tmp.dir, 'effects'), ['-q'], AGENT_FIXTURE_JS);
let lifeline: Lifeline | undefined;
let pgid = 0;

beforeAll(() => assertBuilt());
afterAll(async () => {
  await pool.killAll();
  if (pgid && groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  await lifeline?.close();
  tmp.cleanup();
});

/** Members of group `pgid` that are not zombies (this container's PID 1 never reaps orphans, so `kill(-pgid, 0)` still finds their zombies). */
function liveMembers(group: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === group && processRuns(pid);
      } catch {
        return false;
      }
    });
}

it('the next worker kills the orphaned process group, resumes in the workspace, and leaves nothing behind', async () => {
  const root = join(tmp.dir, 'ws');
  const first = pool.spawn();
  await first.ready;
  lifeline = await Lifeline.open({ db: join(tmp.dir, 'orphan.db'), workflows: [agentOrphanWorkflow] });
  const run = await lifeline.start(agentOrphanWorkflow, { root }, { runId: 'orphan-1' });
  const ws = workspacePath(root, 'orphan-1', 'fix#0');
  await fileAppears(join(ws, 'hanging'));
  await fileAppears(join(ws, 'grandchild.pid'));
  pgid = pgidIn(ws);
  const grandchild = Number(readFileSync(join(ws, 'grandchild.pid'), 'utf8'));

  await pool.kill(first, 'SIGKILL');
  // The orphans: the worker is gone, its agent and the agent's child still run.
  expect(liveMembers(pgid).sort()).toEqual([pgid, grandchild].sort());

  pool.spawn();
  const output = (await run.result()) as { output: string; attempt: number; continuation: { checkpoint: unknown } };
  expect(output).toMatchObject({ output: 'done: task-1,task-2\n', attempt: 2, continuation: { checkpoint: { completed: ['task-1'], next: ['task-2'] } } });

  // No orphan left: kill(-pgid, 0) fails, or finds only zombies nobody reaps here.
  let signalled = true;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    signalled = false;
    expect((error as NodeJS.ErrnoException).code).toBe('ESRCH');
  }
  if (signalled) expect(liveMembers(pgid)).toEqual([]);
  expect(groupAlive(pgid)).toBe(false);
  expect(processRuns(grandchild)).toBe(false);
  // ...and no workspace left (cleanup on_success removes the run's folder with its last step).
  expect(existsSync(join(root, 'orphan-1'))).toBe(false);

  const events = (await lifeline.store.listEvents({ runId: 'orphan-1' }))
    .filter((e) => e.type === 'step.agent_event')
    .map((e) => JSON.parse(e.data) as { attempt: number; kind: string; detail?: string });
  expect(events.find((e) => e.kind === 'orphan_killed')).toEqual({
    kind: 'orphan_killed',
    detail: `process group ${pgid} of attempt 1: terminated`,
    stepId: 'fix#0',
    attempt: 2,
  });
});
