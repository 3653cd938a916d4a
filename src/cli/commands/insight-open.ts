// Opening the store for `lifeline insight` subcommands: writable (the queries keep their hourly
// rollup caught up), but never creating a database: a mistyped --db is reported, not made.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { LifelineError } from '../../errors/lifeline-error.js';
import type { InsightSource } from '../../insight/insight.js';
import { openStore } from '../../store/open-store.js';
import { systemClock } from '../../time/clock.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { dbLocation, type GlobalOptions } from '../open.js';

export async function openInsight(cmd: Command): Promise<{ source: InsightSource; close: () => Promise<void> }> {
  const location = dbLocation(cmd.optsWithGlobals<GlobalOptions>());
  const file = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  if (!/^postgres(ql)?:\/\//.test(location) && !existsSync(file)) {
    throw new CliError(`no database at ${file} (insight never creates one; check --db or LIFELINE_DB)`, EXIT.DATABASE);
  }
  try {
    const store = await openStore(location);
    return { source: { store, clock: systemClock }, close: () => store.close() };
  } catch (error) {
    throw error instanceof LifelineError ? new CliError(error.message, EXIT.DATABASE) : error;
  }
}

/** The window options of a subcommand as the typed API takes them (a bad --since is a usage error). */
export { windowOptions } from './insight-window.js';

export const isoMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
