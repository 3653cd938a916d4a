// `lifeline schedules add|remove` (schedules created at runtime) and `lifeline run FILE`, which
// executes one run and fires (stores) no schedules: only workers do. Built CLI, real SQLite file.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'build/src/cli/main.js');
let tmp: ReturnType<typeof tempDir>;

function lifeline(db: string, args: string[]) {
  const r = spawnSync(process.execPath, [cli, '--db', join(tmp.dir, db), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  assertFreshBuild();
  tmp = tempDir();
});
afterAll(() => tmp?.cleanup());

describe('lifeline schedules add|remove', () => {
  it('adds a runtime schedule (text and --json), lists it, refuses bad options naming the field, removes it', () => {
    const added = lifeline('add.db', [
      'schedules',
      'add',
      'nightly-eu',
      '--workflow',
      'report',
      '--cron',
      '0 2 * * *',
      '--timezone',
      'Europe/Berlin',
      '--input',
      '{"scope":"eu"}',
      '--catch-up',
      'one',
    ]);
    expect(added.code, added.err).toBe(0);
    expect(added.out).toMatch(/^schedule nightly-eu stored \(report, 0 2 \* \* \* Europe\/Berlin\): next tick \d{4}-\d\d-\d\dT01:00:00\.000Z\n$/);
    const again = lifeline('add.db', ['schedules', 'add', 'nightly-eu', '--workflow', 'report', '--cron', '0 3 * * *', '--json']);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({
      id: 'nightly-eu',
      source: 'runtime',
      workflow: 'report',
      cron: '0 3 * * *',
      timezone: 'UTC',
      catchUp: 'skip',
    });
    const listed = lifeline('add.db', ['schedules', '--json']);
    expect((JSON.parse(listed.out) as Array<{ id: string; source: string }>).map((s) => [s.id, s.source])).toEqual([['nightly-eu', 'runtime']]);

    expect(lifeline('add.db', ['schedules', 'add', 'x', '--workflow', 'report', '--cron', '61 * * * *'])).toMatchObject({
      code: 2,
      err: 'lifeline: Invalid option lifeline.schedule.cron: is not a valid cron expression: Constraint error, got value 61 expected range 0-59 (got "61 * * * *")\n',
    });
    expect(lifeline('add.db', ['schedules', 'add', 'x', '--workflow', 'report', '--cron', '* * * * *', '--max-catch-up', '0'])).toMatchObject({
      code: 2,
      err: 'lifeline: Invalid option lifeline.schedule.maxCatchUp: must be an integer from 1 to 10000 (got 0)\n',
    });
    // What the user typed is named, not what Number() made of it.
    expect(lifeline('add.db', ['schedules', 'add', 'x', '--workflow', 'report', '--cron', '* * * * *', '--max-catch-up', 'ten'])).toMatchObject({
      code: 2,
      err: 'lifeline: Invalid option lifeline.schedule.maxCatchUp: must be an integer from 1 to 10000 (got "ten")\n',
    });

    expect(lifeline('add.db', ['schedules', 'remove', 'nightly-eu'])).toMatchObject({ code: 0, out: 'schedule nightly-eu removed\n' });
    expect(lifeline('add.db', ['schedules', 'remove', 'nightly-eu'])).toMatchObject({
      code: 4,
      err: 'lifeline: No schedule with id "nightly-eu" in this database (ids are "<workflow>:<name>"; see `lifeline schedules`).\n',
    });
  });

  it('lifeline run FILE executes the run and stores (so fires) none of the file’s schedules; a worker would', () => {
    const file = join(tmp.dir, 'scheduled.mjs');
    writeFileSync(
      file,
      `import { defineWorkflow } from '${join(root, 'build/src/index.js')}';\n` +
        `export const tick = defineWorkflow('tick', async (ctx) => ctx.step('one', () => 1), { schedules: [{ cron: '* * * * * *' }] });\n`,
    );
    const ran = lifeline('run.db', ['run', file, '--quiet']);
    expect(ran, ran.err).toMatchObject({ code: 0, out: '1\n' });
    expect(lifeline('run.db', ['schedules', '--json'])).toMatchObject({ code: 0, out: '[]\n' });
    expect(lifeline('run.db', ['runs', '--json']).out).not.toContain('sched:');
  });
});
