// `lifeline rewind` under the built CLI (issue 12 §2), on a SQLite file: a completed run rewound
// by step name (--json), `show` with the earlier generation (text and --json), a failed run fixed
// and rewound with FILE (executed here: only the steps from the target on run again), and the
// refusals: a live run, an unknown step, an unknown run, no --to.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'build/src/cli/main.js');
const FILE = join(root, 'build/test/fixtures/rewind-workflow.js');
let tmp: ReturnType<typeof tempDir>;
let db: string;

function lifeline(args: string[]) {
  const r = spawnSync(process.execPath, [cli, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, REWIND_DIR: tmp.dir } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function bodies(): string[] {
  const log = join(tmp.dir, 'bodies.log');
  return existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]!)
    : [];
}

beforeAll(() => {
  assertFreshBuild();
  tmp = tempDir('lifeline-cli-rewind-');
  db = join(tmp.dir, 'rewind.db');
});
afterAll(() => tmp.cleanup());

describe('lifeline rewind', () => {
  it('rewinds a completed run by step name; show lists the earlier generation; refusals say what is wrong', () => {
    const run = lifeline(['run', FILE, '--run-id', 'done-1', '-q']);
    expect(run.code).toBe(0);
    expect(bodies()).toEqual(['fetch', 'transform', 'save', 'publish']);

    const rewound = lifeline(['rewind', 'done-1', '--to', 'transform', '--by', 'ana', '--json']);
    expect([rewound.code, rewound.err]).toEqual([0, '']);
    expect(JSON.parse(rewound.out)).toEqual({ runId: 'done-1', status: 'pending', toStepId: 'transform#0', generation: 2, setAside: 3 });

    const shown = lifeline(['show', 'done-1']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('generation 2 (rewound 1 time(s); earlier results below)\n');
    const table = shown.out.slice(shown.out.indexOf('earlier generations (set aside by rewind)'));
    expect(table.split('\n')[1]).toMatch(/^GEN\s+STEP\s+KIND\s+STATUS\s+ATTEMPTS\s+SET ASIDE\s+RESULT/);
    expect(table).toMatch(/\n1\s+transform#0\s+step\s+completed\s+1\s+\S+\s+"transform by \d+"/);
    expect(table).toMatch(/\n1\s+publish#0\s+step\s+completed/);
    const json = JSON.parse(lifeline(['show', 'done-1', '--json']).out) as {
      run: { status: string; generation: number };
      steps: Array<{ stepId: string }>;
      earlierGenerations: Array<{ generation: number; stepId: string; output: string }>;
      events: Array<{ type: string; data: unknown }>;
    };
    expect(json.run).toMatchObject({ status: 'pending', generation: 2 });
    expect(json.steps.map((s) => s.stepId)).toEqual(['fetch#0']);
    expect(json.earlierGenerations.map((s) => [s.generation, s.stepId])).toEqual([
      [1, 'transform#0'],
      [1, 'save#0'],
      [1, 'publish#0'],
    ]);
    expect(json.earlierGenerations[0]!.output).toMatch(/^transform by \d+$/);
    expect(json.events.find((e) => e.type === 'run.rewound')?.data).toEqual({ to: 'transform#0', generation: 2, setAside: 3, from: 'completed', by: 'ana' });

    // Pending now: refused until it finishes (cancel it first).
    const live = lifeline(['rewind', 'done-1', '--to', 'fetch']);
    expect([live.code, live.err]).toEqual([
      2,
      'lifeline: Cannot rewind run done-1: it is pending. Only a finished run (completed, failed or cancelled) can be rewound: cancel it first, then rewind it.\n',
    ]);
    expect(lifeline(['cancel', 'done-1']).code).toBe(0);
    const unknownStep = lifeline(['rewind', 'done-1', '--to', 'nope']);
    expect([unknownStep.code, unknownStep.err]).toEqual([
      2,
      'lifeline: Cannot rewind run done-1 to "nope": the run has no such step id or step name; its steps are fetch#0.\n',
    ]);
    const unknownRun = lifeline(['rewind', 'nobody', '--to', 'fetch']);
    expect([unknownRun.code, unknownRun.err]).toEqual([4, 'lifeline: No run with id "nobody" in this database.\n']);
    const noTo = lifeline(['rewind', 'done-1']);
    expect(noTo.code).not.toBe(0);
    expect(noTo.err).toContain("required option '--to <step>' not specified");
  }, 120_000);

  it('a failed run, fixed and rewound with FILE, executes here: only the steps from the target on run again', () => {
    rmSync(join(tmp.dir, 'bodies.log'), { force: true });
    writeFileSync(join(tmp.dir, 'broken'), '');
    const failed = lifeline(['run', FILE, '--run-id', 'failed-1', '-q']);
    expect(failed.code).not.toBe(0);
    expect(bodies()).toEqual(['fetch', 'transform', 'save']);
    rmSync(join(tmp.dir, 'broken'));

    const rewound = lifeline(['rewind', 'failed-1', FILE, '--to', 'save#0']);
    expect(rewound.code).toBe(0);
    expect(rewound.out).toContain('run failed-1 rewound to save#0: 1 step result(s) kept as generation 1');
    expect(bodies()).toEqual(['fetch', 'transform', 'save', 'save', 'publish']);
    const json = JSON.parse(lifeline(['show', 'failed-1', '--json']).out) as {
      run: { status: string };
      earlierGenerations: Array<{ stepId: string; status: string; error: { message: string } }>;
    };
    expect(json.run.status).toBe('completed');
    expect(json.earlierGenerations.map((s) => [s.stepId, s.status, s.error.message])).toEqual([['save#0', 'failed', 'the save target is broken']]);
  }, 120_000);
});
