// `lifeline insight fix FINGERPRINT --note "..." [--action ACTION]`: records a fix against a
// failure pattern; `lifeline insight fix --list` shows the fixes with the failures since each.
import type { Command } from 'commander';
import { FIX_ACTIONS, listFixes, recordFix } from '../../insight/fixes.js';
import type { ActionId } from '../../insight/track-record.js';
import { InvalidOptionsError } from '../../errors/options-error.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifeline, openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';

interface FixCliOptions {
  note?: string;
  action?: string;
  list?: boolean;
  json?: boolean;
}

export function registerInsightFix(group: Command): void {
  group
    .command('fix')
    .description('record a fix against a failure fingerprint (then tracked: resolved, or REGRESSED when it fails again); --list shows the fixes')
    .argument('[fingerprint]', 'the fingerprint, as `lifeline insight patterns` shows it')
    .option('--note <text>', 'what was done')
    .option('--action <action>', `which recommendation it followed: ${FIX_ACTIONS.join(', ')}`)
    .option('--list', 'list recorded fixes instead')
    .option('--json', 'print JSON')
    .action(async (fingerprint: string | undefined, opts: FixCliOptions, cmd: Command) => {
      if (opts.list) {
        const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
        const fixes = await listFixes(lifeline, fingerprint === undefined ? {} : { fingerprint }).finally(close);
        if (opts.json) process.stdout.write(`${JSON.stringify(fixes, null, 2)}\n`);
        else if (fixes.length === 0) process.stdout.write('no fixes recorded\n');
        else
          printTable(
            ['FINGERPRINT', 'RECORDED', 'ACTION', 'STEP', 'CLASS', 'STATUS', 'NOTE'],
            fixes.map((f) => [
              f.fingerprint,
              new Date(f.createdAt).toISOString(),
              f.action ?? '-',
              `${f.workflow}/${f.stepName}`,
              f.errorClass,
              f.failuresAfter === 0 ? 'resolved' : `REGRESSED (${f.failuresAfter} failures since)`,
              f.note,
            ]),
          );
        return;
      }
      if (fingerprint === undefined || opts.note === undefined)
        throw new CliError('insight fix needs a FINGERPRINT and --note "what was done" (or --list)', EXIT.USAGE);
      const lifeline = await openLifeline(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const fix = await recordFix(lifeline, fingerprint, { note: opts.note, ...(opts.action !== undefined ? { action: opts.action as ActionId } : {}) });
        if (opts.json) process.stdout.write(`${JSON.stringify(fix, null, 2)}\n`);
        else
          process.stdout.write(
            `fix ${fix.id} recorded for ${fix.fingerprint} (${fix.errorClass} in ${fix.workflow}/${fix.stepName}); it is resolved while the fingerprint does not fail again\n`,
          );
      } catch (error) {
        throw error instanceof InvalidOptionsError ? new CliError(error.message, EXIT.USAGE) : error;
      } finally {
        await lifeline.close();
      }
    });
}
