// `npm start`: the crash-and-resume demo on the embedded SQLite default.
// 1. runs the reporting pipeline in a child process (the `lifeline` CLI),
// 2. SIGKILLs it in the middle of a step,
// 3. resumes the run in a fresh process, which replays committed steps and executes the rest,
// 4. prints what executed where, the retries with their error classes, and the final report;
// 5. runs a second workflow in this process on the same database, whose models and dependencies
//    misbehave, and prints what the resilience toolkit recorded (toolkit-demo.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lifeline } from '../../src/index.js';
import { printTable } from '../../src/cli/commands/runs.js';
import { showToolkit } from './toolkit-demo.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..'); // build/examples/demo -> repo root
const cli = join(root, 'build/src/cli/main.js');
const workflowFile = join(here, 'report-pipeline.js');
const dir = join(root, '.lifeline-demo');
const db = join(dir, 'demo.db');
const sideEffects = join(dir, 'side-effects.log');
const runId = `demo-${Date.now()}`;

function runCli(label: string, args: string[], killWhen?: (line: string) => number | null): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [cli, '--db', db, ...args], {
      env: { ...process.env, DEMO_SIDE_EFFECTS: sideEffects },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        process.stdout.write(`  [${label}] ${line}\n`);
        const delay = killWhen?.(line);
        if (delay !== null && delay !== undefined) {
          setTimeout(() => {
            process.stdout.write(`  [${label}] 💥 SIGKILL (pid ${child.pid}) while a step is in flight\n`);
            child.kill('SIGKILL');
          }, delay);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => resolvePromise({ code, signal }));
  });
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error(`build first: ${cli} is missing (npm start builds it)`);
  // The database is kept across demos (each run has its own id), so a dashboard opened on it
  // (`npx lifeline --db .lifeline-demo/demo.db dashboard`) watches this demo live; only the
  // side-effect log, which the demo counts, starts empty.
  mkdirSync(dir, { recursive: true });
  rmSync(sideEffects, { force: true });
  const started = Date.now();
  console.log(`Lifeline demo — database ${db}\n`);

  console.log('1) Start the reporting pipeline in a child process:');
  const first = await runCli('process 1', ['run', workflowFile, '--run-id', runId, '--input', JSON.stringify({ topic: 'quarterly revenue review' })], (line) =>
    line.includes('data_helper#0 executed') ? 200 : null,
  );
  // The attempts still marked running are the ones the kill cut short (the resume marks them interrupted).
  const inspect = await Lifeline.open({ db });
  const inFlight = (await inspect.store.listAttempts(runId)).filter((a) => a.outcome === 'running');
  await inspect.close();
  const where = inFlight.length ? ` in the middle of step ${inFlight.map((a) => `${a.stepId} (attempt ${a.attempt})`).join(', ')}` : '';
  console.log(`  process 1 ended by ${first.signal ?? `exit ${first.code}`}${where}\n`);

  console.log('2) Resume the same run in a new process:');
  const second = await runCli('process 2', ['resume', runId, workflowFile]);
  console.log(`  process 2 exited with ${second.code}\n`);

  const lifeline = await Lifeline.open({ db });
  const run = await lifeline.getRun<{ title: string; sections: string[] }>(runId);
  const attempts = await lifeline.store.listAttempts(runId);
  await lifeline.close();

  console.log('3) Every attempt, as recorded:');
  printTable(
    ['STEP', 'ATTEMPT', 'OUTCOME', 'CLASS', 'DURATION', 'WORKER'],
    attempts.map((a) => [a.stepId, String(a.attempt), a.outcome, a.errorClass ?? '', a.durationMs === null ? '-' : `${a.durationMs} ms`, a.workerId]),
    '  ',
  );
  console.log("  (an interrupted attempt ends at its lease's last heartbeat: when its process was last known alive)");
  const effects = readFileSync(sideEffects, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '');
  const counts = new Map<string, number>();
  for (const stepId of effects) counts.set(stepId, (counts.get(stepId) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  console.log(`\n  completed side effects: ${[...counts].map(([s, n]) => `${s}×${n}`).join(', ')}`);
  console.log(twice.length === 0 ? '  ✔ no completed step ran twice' : `  ✘ ran twice: ${twice.map(([s]) => s).join(', ')}`);

  console.log('\n4) The final report:');
  if (run?.status === 'completed' && run.output) {
    console.log(`  ${run.output.title}`);
    for (const section of run.output.sections) console.log(`   - ${section}`);
  } else {
    console.log(`  run is ${run?.status}: ${run?.error?.message ?? ''}`);
  }

  console.log('\n5) Models and dependencies that misbehave, handled by the toolkit (one run in this process):');
  const toolkitRunId = `${runId}-market`;
  const toolkitShown = await showToolkit(db, toolkitRunId);
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Inspect it: npx lifeline --db ${db} show ${runId}`);
  console.log(`  and: npx lifeline --db ${db} show ${toolkitRunId}`);
  if (run?.status !== 'completed' || twice.length > 0 || !toolkitShown) process.exitCode = 1;
}

await main();
