// `lifeline runs` / `show` say why a run pinned to another version waits, and `lifeline workers`
// lists the live workers with the versions they loaded (built CLI, real SQLite file).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'build/src/cli/main.js');
let tmp: ReturnType<typeof tempDir>;
let db: string;
let now: number;

function lifeline(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, '--db', db, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const REASON = 'waiting for a worker with version 1 of checkout (live workers have 2, 3)';

beforeAll(async () => {
  assertFreshBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'versions.db');
  const store = await openSqliteStore(db);
  now = Date.now(); // the CLI judges with the system clock: the worker must look live to it
  await store.createRun({ id: 'old-run', workflow: 'checkout', input: 'null', now, version: 1 });
  await store.createRun({ id: 'plain-run', workflow: 'report', input: 'null', now: now + 1 });
  const seen = { host: 'host-a', startedAt: now, now, forgetBefore: 0 };
  await store.recordWorker({
    ...seen,
    id: 'w-new',
    pid: 11,
    workflows: [
      { workflow: 'checkout', version: 2 },
      { workflow: 'checkout', version: 3 },
    ],
  });
  await store.recordWorker({ ...seen, id: 'w-gone', pid: 12, workflows: [{ workflow: 'report', version: null }], now: now - 3_600_000 + 60_000 });
  await store.close();
});
afterAll(() => tmp?.cleanup());

describe('workflow versions in the CLI', () => {
  it('runs: the workflow column names the pinned version and the detail says what the run waits for', () => {
    const r = lifeline(['runs']);
    expect(r.code, r.err).toBe(0);
    const row = r.out.split('\n').find((l) => l.startsWith('old-run '));
    const cells = row?.split(/ {2,}/) ?? [];
    expect(cells.slice(0, 3)).toEqual(['old-run', 'checkout@1', 'pending']);
    expect(cells.at(-1)).toBe(REASON);
    // An unversioned run keeps its plain name, and its reason (no live worker loads "report").
    expect(
      r.out
        .split('\n')
        .find((l) => l.startsWith('plain-run '))
        ?.split(/ {2,}/)
        .slice(1, 3),
    ).toEqual(['report', 'pending']);
    const json = JSON.parse(lifeline(['runs', '--json']).out) as Array<{ id: string; version: number | null; activity: { state: string; reason: string } }>;
    expect(json.map((j) => [j.id, j.version])).toEqual([
      ['plain-run', null],
      ['old-run', 1],
    ]);
    expect(json.find((j) => j.id === 'old-run')?.activity).toMatchObject({ state: 'pending', reason: REASON });
  });

  it('show: the version and the waiting reason', () => {
    const r = lifeline(['show', 'old-run']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('workflow  checkout\nversion   1\nstatus    pending\n');
    expect(r.out).toContain(`activity  ${REASON}\n`);
    const json = JSON.parse(lifeline(['show', 'old-run', '--json']).out) as { run: { version: number }; activity: { reason: string } };
    expect([json.run.version, json.activity.reason]).toEqual([1, REASON]);
  });

  it('workers: the live ones with what they loaded; --all adds the ones not seen lately', () => {
    const r = lifeline(['workers']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n').map((l) => l.replace(/ +/g, ' ').trimEnd())).toEqual([
      'WORKER HOST PID STATE LAST SEEN WORKFLOWS',
      `w-new host-a 11 live ${new Date(now).toISOString()} checkout@2, checkout@3`,
      '',
    ]);
    const all = lifeline(['workers', '--all']).out;
    expect(all).toMatch(/w-gone\s+host-a\s+12\s+gone\s+\S+\s+report\n/);
    const json = JSON.parse(lifeline(['workers', '--json']).out) as unknown;
    expect(json).toEqual([
      {
        id: 'w-new',
        host: 'host-a',
        pid: 11,
        workflows: [
          { workflow: 'checkout', version: 2 },
          { workflow: 'checkout', version: 3 },
        ],
        startedAt: now,
        lastSeenAt: now,
        live: true,
      },
    ]);
  });

  it('resume RUN FILE refuses a run pinned to a version FILE does not load (it would wait forever), exit 2', async () => {
    const store = await openSqliteStore(db);
    await store.createRun({ id: 'crash-v1', workflow: 'versions.crash', input: 'null', now: Date.now(), version: 1 });
    await store.close();
    const fixture = join(root, 'build/test/fixtures/versions-workflow.js');
    const r = lifeline(['resume', 'crash-v1', fixture], { VERSIONS_LOADED: '2' });
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'Run crash-v1 was started with version 1 of workflow "versions.crash", which this code does not load (it loads version 2): ' +
        'keep the definition that started it loaded next to the new one (docs/time-travel.md#workflow-versions).',
    );
  });

  it('rewind RUN FILE and retry RUN FILE refuse a run pinned to a version FILE does not load before changing it', async () => {
    const fixture = join(root, 'build/test/fixtures/versions-workflow.js');
    expect(lifeline(['run', fixture, '--run-id', 'done-v1', '-q'], { VERSIONS_LOADED: '1' }).code).toBe(0);
    const store = await openSqliteStore(db);
    await store.createRun({ id: 'failed-v1', workflow: 'versions.crash', input: 'null', now: Date.now(), version: 1 });
    await store.close();
    expect(lifeline(['cancel', 'failed-v1']).code).toBe(0);
    const refusal = (runId: string) =>
      `lifeline: Run ${runId} was started with version 1 of workflow "versions.crash", which this code does not load (it loads version 2): ` +
      'keep the definition that started it loaded next to the new one (docs/time-travel.md#workflow-versions).\n';
    const rewound = lifeline(['rewind', 'done-v1', fixture, '--to', 'work'], { VERSIONS_LOADED: '2' });
    expect([rewound.code, rewound.out, rewound.err]).toEqual([2, '', refusal('done-v1')]);
    const retried = lifeline(['retry', 'failed-v1', fixture], { VERSIONS_LOADED: '2' });
    expect([retried.code, retried.out, retried.err]).toEqual([2, '', refusal('failed-v1')]);
    // Nothing changed: the runs are as they were (the refusal is not a half-done rewind or retry).
    const shown = JSON.parse(lifeline(['show', 'done-v1', '--json']).out) as { run: { status: string; generation?: number }; steps: unknown[] };
    expect([shown.run.status, shown.run.generation ?? 1, shown.steps.length]).toEqual(['completed', 1, 1]);
    expect((JSON.parse(lifeline(['show', 'failed-v1', '--json']).out) as { run: { status: string } }).run.status).toBe('cancelled');
  });
});
