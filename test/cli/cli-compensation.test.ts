// `lifeline rollback RUN [FILE] [--json]` under the built CLI, on a real SQLite file: the request
// (pending until its compensations ran), executing it here with FILE (the compensations run latest
// first, the run stays completed), and the refusals (unknown run exit 4; another status, asked
// before: exit 2 with the store's message). `show` and `runs` say where the compensation is.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { unregisterWorkflow } from '../../src/workflow/define.js';
import { saga } from '../fixtures/compensation-workflow.js';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'build/src/cli/main.js');
const fixture = join(root, 'build/test/fixtures/compensation-workflow.js');
let tmp: ReturnType<typeof tempDir>;
let db: string;
let journal: string;

function lifeline(args: string[]) {
  const r = spawnSync(process.execPath, [cli, '--db', db, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, COMP_JOURNAL: journal } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  assertFreshBuild();
  tmp = tempDir('lifeline-cli-comp-');
  db = join(tmp.dir, 'comp.db');
  journal = join(tmp.dir, 'journal');
  const client = await Lifeline.open({ db, workflows: [saga] });
  client.worker({ pollMs: 5 }).start();
  for (const trip of ['a', 'b']) await (await client.start(saga, { trip, fail: false }, { runId: `trip-${trip}` })).result();
  await client.close();
  unregisterWorkflow(saga.name);
});
afterAll(() => tmp.cleanup());

describe('lifeline rollback', () => {
  it('requests a rollback: the run is pending until a worker ran its compensations; asking again is refused with the reason', () => {
    const asked = lifeline(['rollback', 'trip-a', '--json']);
    expect([asked.code, asked.err]).toEqual([0, '']);
    expect(JSON.parse(asked.out)).toEqual({ runId: 'trip-a', status: 'pending', compensation: 'requested' });
    const again = lifeline(['rollback', 'trip-a']);
    expect([again.code, again.out, again.err]).toEqual([
      2,
      '',
      'lifeline: Cannot rollback run trip-a: it is pending. Only a completed or failed run can be rolled back.\n',
    ]);
    const unknown = lifeline(['rollback', 'nope']);
    expect([unknown.code, unknown.err]).toEqual([4, 'lifeline: No run with id "nope" in this database.\n']);
  });

  it('with FILE the compensations run here, latest first; the run stays completed, shown with compensation done', () => {
    const done = lifeline(['rollback', 'trip-b', fixture]);
    expect(done.err).toBe('');
    expect(done.code).toBe(0);
    expect(done.out).toContain('rollback requested: run trip-b is pending until its compensations have run; executing it here');
    // Each compensation once, the hotel's first (the worker here also took trip-a, asked for above).
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.endsWith('-b'))).toEqual(['undo H-b', 'undo F-b']);
    const show = lifeline(['show', 'trip-b']);
    expect(show.out).toMatch(/^status {4}completed$/m);
    expect(show.out).toMatch(/^compensation done$/m);
    expect(lifeline(['runs']).out).toMatch(/trip-b .*compensation done/);
    const twice = lifeline(['rollback', 'trip-b']);
    expect([twice.code, twice.err]).toEqual([2, 'lifeline: Cannot rollback run trip-b: it is completed. Its compensation was already asked for (done).\n']);
  });
});
