// `lifeline insight refingerprint [--dry-run] [--rules FILE]`: recomputes the fingerprint of every
// failed attempt with this Lifeline's algorithm version and the given rules, in batches. Groups
// never change on their own: a new version or new rules regroup only when this runs.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { checkFingerprintRules, type FingerprintRule } from '../../insight/fingerprint-rules.js';
import { refingerprint } from '../../insight/refingerprint.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifeline, type GlobalOptions } from '../open.js';

export function registerInsightRefingerprint(group: Command): void {
  group
    .command('refingerprint')
    .description('recompute the fingerprints of failed attempts with the current algorithm version and rules')
    .option('--dry-run', 'count what would change, write nothing')
    .option('--rules <module>', 'an ES module exporting `fingerprintRules` (as Lifeline.open insight.fingerprintRules)')
    .option('--batch <n>', 'attempts per batch', '1000')
    .option('--json', 'print JSON')
    .action(async (opts: { dryRun?: boolean; rules?: string; batch: string; json?: boolean }, cmd: Command) => {
      const batchSize = Number(opts.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
        throw new CliError(`--batch must be an integer from 1 to 100000 (got ${opts.batch})`, EXIT.USAGE);
      }
      const rules = opts.rules === undefined ? [] : await loadRules(opts.rules);
      const lifeline = await openLifeline(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const result = await refingerprint(lifeline.store, { rules, dryRun: opts.dryRun === true, batchSize });
        if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          const verb = result.dryRun ? 'would change' : 'changed';
          process.stdout.write(
            `fingerprint version ${result.version}: ${result.scanned} failed attempts read, ${verb} ${result.changed} (${result.olderVersion} from an older version)\n`,
          );
        }
      } finally {
        await lifeline.close();
      }
    });
}

async function loadRules(path: string): Promise<readonly FingerprintRule[]> {
  let module: { fingerprintRules?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as { fingerprintRules?: unknown };
  } catch (error) {
    throw new CliError(`--rules ${path}: cannot load it (${(error as Error).message})`, EXIT.USAGE);
  }
  if (module.fingerprintRules === undefined) throw new CliError(`--rules ${path}: the module exports no fingerprintRules`, EXIT.USAGE);
  try {
    return checkFingerprintRules(module.fingerprintRules, 'fingerprintRules');
  } catch (error) {
    throw new CliError(`--rules ${path}: ${(error as Error).message}`, EXIT.USAGE);
  }
}
