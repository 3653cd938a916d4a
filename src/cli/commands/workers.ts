// `lifeline workers [--all] [--json]`: the workers that recorded themselves (issue 12 §4), with
// the workflows and versions each loaded: which versions a waiting run can expect to be claimed by.
import type { Command } from 'commander';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';
import { LIVE_WORKER_MS, versionKey, type WorkerRecord } from '../../store/versions.js';

export function registerWorkers(program: Command): void {
  program
    .command('workers')
    .description(`list live workers (seen in the last ${LIVE_WORKER_MS / 1000} s) with the workflows and versions each loaded`)
    .option('--all', 'also workers not seen lately (kept for an hour) and stopped ones not yet forgotten')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const now = lifeline.clock.now();
      let workers: WorkerRecord[];
      try {
        workers = await lifeline.store.listWorkers(opts.all ? {} : { seenSince: now - LIVE_WORKER_MS });
      } finally {
        await close();
      }
      const live = (w: WorkerRecord) => w.lastSeenAt >= now - LIVE_WORKER_MS;
      if (opts.json)
        return void process.stdout.write(
          `${JSON.stringify(
            workers.map((w) => ({ ...w, live: live(w) })),
            null,
            2,
          )}\n`,
        );
      if (workers.length === 0) return void process.stdout.write(opts.all ? 'no workers recorded\n' : 'no live workers\n');
      printTable(
        ['WORKER', 'HOST', 'PID', 'STATE', 'LAST SEEN', 'WORKFLOWS'],
        workers.map((w) => [
          w.id,
          w.host,
          String(w.pid),
          live(w) ? 'live' : 'gone',
          new Date(w.lastSeenAt).toISOString(),
          w.workflows.map((v) => versionKey(v.workflow, v.version).replace(/@$/, '')).join(', ') || '-',
        ]),
      );
    });
}
