// An external agent process as a step, interrupted with SIGINT and resumed in its workspace.
//   npm run example:agent-process
// The step runs a toy headless agent (toy-agent.ts). After its first subtask this script sends
// SIGINT to the agent's process group, as a user pressing Ctrl-C in it would. The agent exits 130:
// Lifeline classes that as interrupted and retries the step; the next attempt starts in the same
// workspace, is handed the checkpoint the agent left and resumes its session (`--resume <id>`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentStep, defineWorkflow, Lifeline, type LifelineEvent } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeline-agent-example-'));
const workspaceRoot = join(dir, 'workspaces');
const toyAgent = fileURLToPath(new URL('./toy-agent.js', import.meta.url));

const fixBug = defineWorkflow(
  'example.fix-bug',
  async (ctx) => {
    const r = await agentStep(ctx, 'agent', { command: process.execPath, args: [toyAgent], parse: 'jsonl', workspaceRoot, gracePeriod: '5s' });
    return { answer: r.output, attempt: r.attempt, resumedFrom: r.continuation, costUsd: r.ledgerEntry?.costUsd, workspace: r.workspace };
  },
  { retry: { initialDelayMs: 100, maxDelayMs: 100 } },
);

const lifeline = await Lifeline.open({ db: join(dir, 'example.db'), workflows: [fixBug] });
let interrupted = false;
let agentPid = 0;
lifeline.events.on('event', (event: LifelineEvent) => {
  if (event.type === 'step.retrying') console.log(`  step ${event.data.stepId} attempt ${event.data.attempt} failed [${event.data.errorClass}], retrying`);
  if (event.type !== 'step.agent_event') return;
  const e = event.data;
  const extra = e.checkpoint !== undefined ? ` ${JSON.stringify(e.checkpoint)}` : e.costUsd !== undefined ? ` (cost $${e.costUsd})` : '';
  console.log(`  [attempt ${e.attempt}] ${e.kind}${e.detail ? `: ${e.detail}` : ''}${e.sessionId ? ` ${e.sessionId}` : ''}${extra}`);
  if (e.kind === 'started' && !interrupted) agentPid = Number(/^pid (\d+)/.exec(e.detail ?? '')?.[1]);
  if (e.kind === 'turn' && e.attempt === 1 && !interrupted) {
    interrupted = true;
    console.log(`  → sending SIGINT to the agent's process group ${agentPid}`);
    process.kill(-agentPid, 'SIGINT');
  }
});

lifeline.worker().start();
console.log(`Workspaces under ${workspaceRoot}`);
const run = await lifeline.start(fixBug, undefined);
const result = await run.result();
console.log('Result:', JSON.stringify(result, null, 2));
console.log(
  'Attempts:',
  (await lifeline.store.listAttempts(run.runId)).map((a) => `${a.attempt} ${a.outcome}${a.errorClass ? ` (${a.errorClass})` : ''}`).join(', '),
);
await lifeline.close();
rmSync(dir, { recursive: true, force: true });
