// `lifeline cache list` and `lifeline cache clear [--workflow W] [--step S]`: the step cache
// across runs (StepOptions.cache) in the store: entries by workflow and step, their source run,
// expiry and computing lease; clearing makes the next run compute again.
import type { Command } from 'commander';
import type { CacheEntryRecord, CacheFilter } from '../../store/cache.js';
import { openLifeline, openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';

interface FilterOptions {
  workflow?: string;
  step?: string;
}

function filterOf(opts: FilterOptions): CacheFilter {
  return { ...(opts.workflow === undefined ? {} : { workflow: opts.workflow }), ...(opts.step === undefined ? {} : { stepName: opts.step }) };
}

const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

/** What `cache list --json` prints for an entry: its state at `now` and the stored result's size, not the result. */
function describeEntry(e: CacheEntryRecord, now: number) {
  const fresh = e.output !== null && e.expiresAt !== null && e.expiresAt > now;
  const computing = e.leaseHolder !== null && e.leaseExpiresAt !== null && e.leaseExpiresAt > now;
  const state = fresh ? 'fresh' : computing ? 'computing' : e.output !== null ? 'expired' : 'empty';
  return {
    key: e.key,
    workflow: e.workflow,
    step: e.stepName,
    version: e.version,
    state,
    sourceRunId: e.sourceRunId,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    bytes: e.output === null ? 0 : Buffer.byteLength(e.output),
    leaseHolder: computing ? e.leaseHolder : null,
    leaseExpiresAt: computing ? e.leaseExpiresAt : null,
  };
}

export function registerCache(program: Command): void {
  const cache = program.command('cache').description('the step cache across runs (step option `cache`)');
  cache
    .command('list')
    .description('list step cache entries: workflow, step, state, source run, expiry')
    .option('--workflow <name>', 'only entries of this workflow')
    .option('--step <name>', 'only entries of this step')
    .option('--json', 'print JSON')
    .action(async (opts: FilterOptions & { json?: boolean }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const now = lifeline.clock.now();
      const entries = (await lifeline.store.listCacheEntries(filterOf(opts))).map((e) => describeEntry(e, now));
      await close();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        return;
      }
      if (entries.length === 0) {
        process.stdout.write('no cache entries\n');
        return;
      }
      const rows = entries.map((e) => [
        e.workflow,
        e.step,
        e.version ?? '-',
        e.state,
        e.sourceRunId ?? '-',
        iso(e.expiresAt),
        String(e.bytes),
        e.key.slice(0, 12),
      ]);
      printTable(['WORKFLOW', 'STEP', 'VERSION', 'STATE', 'SOURCE RUN', 'EXPIRES', 'BYTES', 'KEY'], rows);
    });
  cache
    .command('clear')
    .description('delete step cache entries (all, or of a workflow / step): the next run computes again')
    .option('--workflow <name>', 'only entries of this workflow')
    .option('--step <name>', 'only entries of this step')
    .option('--json', 'print JSON')
    .action(async (opts: FilterOptions & { json?: boolean }, cmd: Command) => {
      const lifeline = await openLifeline(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const deleted = await lifeline.store.deleteCacheEntries(filterOf(opts));
        process.stdout.write(opts.json ? `${JSON.stringify({ deleted })}\n` : `deleted ${deleted} cache ${deleted === 1 ? 'entry' : 'entries'}\n`);
      } finally {
        await lifeline.close();
      }
    });
}
