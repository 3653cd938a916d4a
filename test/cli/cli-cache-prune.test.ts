// `lifeline cache list|clear` and `lifeline prune` under the built CLI, on a SQLite file whose
// runs ran 40 days ago (a ManualClock in the past) with a cached step.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { tempDir } from '../helpers.js';
import { requireBuild, cliOn } from './kit.js';

const DAY = 86_400_000;
let tmp: ReturnType<typeof tempDir>;
let db: string;
const runIds: string[] = [];

const lifeline = cliOn(() => db);

const wf = defineWorkflow('cli.cached', async (ctx, input: { q: string }) => {
  const a = await ctx.step('lookup', () => `answer to ${input.q}`, { cache: { key: input.q, ttl: '1h', version: 'v1' } });
  return ctx.step('format', () => a.toUpperCase());
});

beforeAll(async () => {
  requireBuild();
  tmp = tempDir('lifeline-cli-cache-');
  db = join(tmp.dir, 'cache.db');
  const clock = new ManualClock(Date.now() - 40 * DAY);
  const client = await Lifeline.open({ db, workflows: [wf], clock });
  const worker = client.worker({ pollMs: 5 });
  worker.start();
  for (const q of ['tides', 'tides', 'winds']) {
    const h = await client.start(wf, { q });
    await h.result();
    runIds.push(h.runId);
  }
  await client.close();
});
afterAll(() => tmp.cleanup());

describe('lifeline cache and prune', () => {
  it('cache list shows the entries (JSON and table); cache clear --workflow --step deletes them', () => {
    const listed = lifeline(['cache', 'list', '--json']);
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.out) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => [e.workflow, e.step, e.version, e.state, e.sourceRunId])).toEqual(
      expect.arrayContaining([
        ['cli.cached', 'lookup', 'v1', 'expired', runIds[0]],
        ['cli.cached', 'lookup', 'v1', 'expired', runIds[2]],
      ]),
    );
    const table = lifeline(['cache', 'list']);
    expect(table.out.split('\n')[0]).toMatch(/^WORKFLOW\s+STEP\s+VERSION\s+STATE\s+SOURCE RUN\s+EXPIRES\s+BYTES\s+KEY/);
    expect(lifeline(['cache', 'clear', '--workflow', 'cli.cached', '--step', 'other']).out).toBe('deleted 0 cache entries\n');
    expect(lifeline(['cache', 'list', '--step', 'lookup', '--json']).out).toContain(runIds[0]);
  });

  it('prune --dry-run counts, prune deletes (with the expired cache entries those runs computed), bad flags say what is wrong', () => {
    const dry = lifeline(['prune', '--older-than', '30d', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ runs: 3, steps: 6, attempts: 6, cacheEntries: 2, dryRun: true, batches: 1 });
    expect(JSON.parse(lifeline(['cache', 'list', '--json']).out)).toHaveLength(2);
    expect(lifeline(['prune', '--older-than', '41d', '--json']).out).toContain('"runs": 0');

    const real = lifeline(['prune', '--older-than', '30d', '--batch-size', '2']);
    expect(real.code).toBe(0);
    expect(real.out).toMatch(/^deleted 3 run\(s\) that ended before \d{4}-\d\d-\d\dT/);
    expect(real.out).toMatch(/expired cache entries\s+2/);
    expect(JSON.parse(lifeline(['runs', '--json']).out)).toEqual([]);
    expect(lifeline(['cache', 'list']).out).toBe('no cache entries\n');

    const bad = lifeline(['prune', '--older-than', '10s']);
    expect([bad.code, bad.err]).toEqual([2, 'lifeline: Invalid --older-than "10s": use an age of at least 1m, like 30d, 12h or 90m\n']);
    const status = lifeline(['prune', '--older-than', '30d', '--status', 'completed,running']);
    expect([status.code, status.err]).toEqual([
      2,
      'lifeline: Invalid --status "completed,running": use completed, failed and/or cancelled, comma-separated (got "running")\n',
    ]);
  });
});
