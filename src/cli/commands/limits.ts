// `lifeline limits`: the shared limit keys in the store (Lifeline.open `limits`), with what each
// has in use and left now: concurrency slots, calls and tokens of the minute, throttles, retry budget.
import type { Command } from 'commander';
import type { LimitKeyStatus } from '../../store/limits.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';

export function registerLimits(program: Command): void {
  program
    .command('limits')
    .description('list shared limit keys: slots in use / limit, calls and tokens left this minute, throttled steps, retry budget')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const keys = await lifeline.store.listLimits(lifeline.clock.now());
      await close();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
        return;
      }
      if (keys.length === 0) {
        process.stdout.write('no limit keys used yet\n');
        return;
      }
      printTable(['KEY', 'IN USE', 'CALLS LEFT', 'TOKENS LEFT', 'THROTTLED', 'RETRIES / SUCCESSES', 'RETRIES REFUSED'], keys.map(row));
    });
}

function row(k: LimitKeyStatus): string[] {
  const budget = k.retryBudget;
  return [
    k.key,
    k.concurrency === null ? `${k.inUse}` : `${k.inUse}/${k.concurrency}`,
    k.calls === null ? '-' : `${k.calls.left}/${k.calls.capacity}`,
    k.tokens === null ? '-' : `${k.tokens.left}/${k.tokens.capacity}`,
    String(k.throttled),
    `${budget.retries}/${budget.successes}`,
    String(budget.refused),
  ];
}
