// `lifeline breakers`: the shared circuit breakers in the store, by key: state, failure rate over
// the stored window, until when an open breaker refuses calls, and why.
import type { Command } from 'commander';
import { summarizeBreaker } from '../../breakers/stored.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';

export function registerBreakers(program: Command): void {
  program
    .command('breakers')
    .description('list the shared circuit breakers: state, failure rate, opened until')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const now = lifeline.clock.now();
      const breakers = (await lifeline.store.listBreakers()).map((b) => summarizeBreaker(b, now));
      await close();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(breakers, null, 2)}\n`);
        return;
      }
      if (breakers.length === 0) {
        process.stdout.write('no breakers\n');
        return;
      }
      const rows = breakers.map((b) => [
        b.key,
        b.state,
        `${b.failureRate} % of ${b.calls}`,
        b.slowCalls > 0 ? `${b.slowCallRate} %` : '-',
        b.openUntil === null ? '-' : new Date(b.openUntil).toISOString(),
        b.state === 'half_open' ? String(b.probesHeld) : '-',
        b.reason.slice(0, 80),
      ]);
      printTable(['KEY', 'STATE', 'FAILURES', 'SLOW', 'OPEN UNTIL', 'PROBES', 'REASON'], rows);
    });
}
