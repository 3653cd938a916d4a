// A toy headless coding agent for examples/agent/external-agent.ts. It speaks the stream-json
// format of headless agents (one JSON object a line: init, one per turn, a final result with
// cost), keeps its progress in the checkpoint file Lifeline names, and on SIGINT stops with 130.
// A real agent (e.g. `claude -p --output-format stream-json`) takes its place in real use.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const TASKS = ['read the failing test', 'fix the off-by-one in paginate()', 'run the test suite'];
const checkpointFile = process.env.LIFELINE_CHECKPOINT_FILE ?? 'checkpoint.json';
const resumeAt = process.argv.indexOf('--resume');
const session = resumeAt >= 0 ? (process.argv[resumeAt + 1] ?? 'unknown') : `toy-${process.pid}`;
const done: string[] = existsSync(checkpointFile) ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { completed: string[] }).completed : [];

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...line, session_id: session })}\n`);
process.on('SIGINT', () => process.exit(130)); // the checkpoint is already on disk

say({ type: 'system', subtype: 'init' });
let turns = 0;
for (const task of TASKS.filter((t) => !done.includes(t))) {
  // The first run is slow on its second task: long enough to be interrupted there.
  if (resumeAt < 0 && done.length === 1) await new Promise((resolve) => setTimeout(resolve, 60_000));
  done.push(task);
  turns++;
  writeFileSync(`${checkpointFile}.tmp`, JSON.stringify({ completed: done, next: TASKS.filter((t) => !done.includes(t)) }));
  renameSync(`${checkpointFile}.tmp`, checkpointFile);
  say({ type: 'assistant', message: { content: [{ type: 'text', text: `Done: ${task}` }] } });
}
say({ type: 'result', subtype: 'success', is_error: false, result: `${done.length} tasks done`, num_turns: turns, total_cost_usd: 0.004 * turns });
