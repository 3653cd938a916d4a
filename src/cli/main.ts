import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { LifelineError } from '../errors/lifeline-error.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { registerRun } from './commands/run.js';
import { registerWorker } from './commands/worker.js';
import { registerRuns } from './commands/runs.js';
import { registerShow } from './commands/show.js';
import { registerControl } from './commands/control.js';
import { registerRewind } from './commands/rewind.js';
import { registerCosts } from './commands/costs.js';
import { registerRecovery } from './commands/recovery.js';
import { registerLimits } from './commands/limits.js';
import { registerBreakers } from './commands/breakers.js';
import { registerInsight } from './commands/insight.js';
import { registerWatch } from './commands/watch.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerCache } from './commands/cache.js';
import { registerPrune } from './commands/prune.js';
import { registerSchedules } from './commands/schedules.js';
import { registerWorkers } from './commands/workers.js';
import { registerRollback } from './commands/rollback.js';

// `lifeline show RUN | head -2`: the reader may close the pipe early. What is left to print is
// dropped; the command ends as it would have (an unhandled EPIPE would crash it with a stack).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

/** The package's version: the nearest package.json above this file (dist/cli/ in the package, build/src/cli/ in the repository). */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      return (JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { version: string }).version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dir.pathname === '/') throw error;
    }
  }
}
const version = packageVersion();

const program = new Command()
  .name('lifeline')
  .version(version, '-V, --version', 'print the version of lifeline-workflows')
  .description('Crash-proof, self-healing workflows: run, inspect and control durable runs')
  .option('--db <location>', 'database: a SQLite path, sqlite:path or postgres://... (env LIFELINE_DB; default ./lifeline.db)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerRun(program);
registerWorker(program);
registerRuns(program);
registerShow(program);
registerControl(program);
registerRewind(program);
registerCosts(program);
registerRecovery(program);
registerLimits(program);
registerBreakers(program);
registerInsight(program);
registerWatch(program);
registerDashboard(program);
registerCache(program);
registerPrune(program);
registerRollback(program);
registerSchedules(program);
registerWorkers(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE; // help/version exit 0; commander already printed the message
  }
  if (error instanceof CliError) {
    process.stderr.write(`lifeline: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof LifelineError) {
    process.stderr.write(`lifeline: ${error.message}\n`);
    return error.code === 'RUN_NOT_FOUND' || error.code === 'WORKFLOW_NOT_FOUND' ? EXIT.NOT_FOUND : EXIT.USAGE;
  }
  process.stderr.write(`lifeline: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT.RUN_FAILED;
}
