// Experiment (not part of `npm run bench`): W2-PG (cold and warm, see pg-w2.ts) with the worker
// processes changed at runtime (src/ untouched), variants alternating per repetition:
//  - as-is
//  - maxInFlight=1:  the store's batching depth (BATCHING.maxInFlight, 2 in src/) set to 1 through a
//                    preloaded module (pg-batching-preload.ts): calls arriving while a batch is in
//                    flight wait and share the next statement
//  - generic-plans:  every session of the store with plan_cache_mode=force_generic_plan (URL
//                    `options`): the batched CTE statements are not re-planned at each execution
//   node dist/bench/experiments/pg-w2-variants.js [reps] [processes] [concurrencyEach]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, round, ROOT } from '../common.js';
import { acquirePg } from '../pg-common.js';
import { benchW2PgConfig } from '../pg-w2.js';

const reps = Number(process.argv[2] ?? 3);
const processes = Number(process.argv[3] ?? 4);
const concurrencyEach = Number(process.argv[4] ?? 4);
const preload = pathToFileURL(join(ROOT, 'dist', 'bench', 'experiments', 'pg-batching-preload.js')).href;
const log = (s: string) => process.stderr.write(`${s}\n`);

const server = await acquirePg();
const results: Record<string, { cold: number[]; warm: number[]; txns: number[]; cpu: number[] }> = {};
try {
  for (let r = 0; r < reps; r++) {
    for (const variant of ['as-is', 'maxInFlight=1', 'generic-plans']) {
      process.env['NODE_OPTIONS'] = `--import=${preload}`;
      process.env['LIFELINE_BENCH_BATCH_IN_FLIGHT'] = variant === 'maxInFlight=1' ? '1' : '';
      let url = server.url;
      if (variant === 'generic-plans') {
        const u = new URL(url);
        u.searchParams.set('options', '-c plan_cache_mode=force_generic_plan');
        url = u.toString();
      }
      const res = (results[variant] ??= { cold: [], warm: [], txns: [], cpu: [] });
      for (const mode of ['cold', 'warm'] as const) {
        const c = await benchW2PgConfig(url, processes, concurrencyEach, 500, 1, mode, log);
        const rep = c.reps[0];
        if (!rep) continue;
        res[mode].push(rep.runsPerSec);
        res.txns.push(rep.perRun.transactions);
        if (rep.cpu.perRunMs !== null) res.cpu.push(rep.cpu.perRunMs);
      }
    }
  }
} finally {
  delete process.env['NODE_OPTIONS'];
  await server.stop();
}
process.stdout.write(`W2-PG ${processes} processes x c${concurrencyEach}, ${reps} reps per variant and mode (medians)\n`);
for (const [name, r] of Object.entries(results)) {
  process.stdout.write(`${name.padEnd(14)} cold ${round(median(r.cold), 1)} runs/s [${r.cold.join(' ')}]  warm ${round(median(r.warm), 1)} [${r.warm.join(' ')}]  txns/run ${round(median(r.txns), 2)}  CPU/run ${round(median(r.cpu), 2)} ms\n`);
}
