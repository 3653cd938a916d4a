// The CLI as a new user meets it: commands say what happened and what to run next, one rule for
// exit codes, a pipe closed early, --version. Runs the compiled CLI (npm run build first).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, useCliFiles, fixturePath, cliOn, startCli, startWorker } from './kit.js';

const fixture = fixturePath('cli-first-hour');
const files = useCliFiles('first.db');

const lifeline = cliOn(() => files.db);

describe('lifeline CLI, first hour', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(lifeline(['--version'])).toMatchObject({ code: 0, out: `${version}\n` });
  });

  it('resume wakes a sleeping run now: without FILE it says so and what to run next, with FILE the run completes before its wake time', () => {
    const run = lifeline(['run', fixture, '-w', 'first.napper', '--run-id', 'n1']);
    expect(run.code).toBe(6);
    expect(lifeline(['show', 'n1']).out).toMatch(/sleep#0\s+sleep\s+sleeping until \d{4}-\d\d-\d\dT/);
    const woken = lifeline(['resume', 'n1']);
    expect(woken.out).toMatch(
      /^run n1 woken \(it was sleeping until \d{4}-[^)]+\); a running `lifeline worker FILE` picks it up, or execute it here with `lifeline resume n1 FILE`\n$/,
    );
    expect(woken.code).toBe(0);
    expect(lifeline(['show', 'n1']).out).toMatch(/sleep#0\s+sleep\s+completed/);
    const resumed = lifeline(['resume', 'n1', fixture]);
    expect(resumed.out).toContain('✓ after#0 executed (attempt 1)');
    expect(resumed.code).toBe(0);
  });

  it('one rule for runs that already ended: asking for the state a run is in succeeds, asking a finished run to change is refused (2)', () => {
    expect(lifeline(['resume', 'n1'])).toMatchObject({ code: 2, err: 'lifeline: run n1 is already completed: there is nothing to resume\n' });
    expect(lifeline(['cancel', 'n1'])).toMatchObject({ code: 2, err: 'lifeline: run n1 is already completed: it cannot be cancelled\n' });
    expect(lifeline(['signal', 'n1', 'x']).code).toBe(2);
    expect(lifeline(['retry', 'n1']).code).toBe(2);
    lifeline(['run', fixture, '-w', 'first.napper', '--run-id', 'n2']);
    expect(lifeline(['cancel', 'n2'])).toMatchObject({ code: 0, out: 'run n2 cancelled\n' });
    expect(lifeline(['cancel', 'n2'])).toMatchObject({ code: 0, out: 'run n2 is already cancelled\n' });
  });

  it('retry without FILE says the run is pending and how to execute it; retry with FILE then executes it', () => {
    const fix = join(files.dir, 'fixed');
    expect(lifeline(['run', fixture, '-w', 'first.broken', '--run-id', 'b1']).code).toBe(1);
    expect(lifeline(['retry', 'b1'])).toMatchObject({
      code: 0,
      out: 'run b1 retried from its failed step: it is pending; a running `lifeline worker FILE` picks it up, or execute it here with `lifeline resume b1 FILE`\n',
    });
    expect(lifeline(['retry', 'b1'])).toMatchObject({
      code: 0,
      out: 'run b1 is already pending (retried, not yet executed); a running `lifeline worker FILE` picks it up, or execute it here with `lifeline resume b1 FILE`\n',
    });
    writeFileSync(fix, '');
    const retried = lifeline(['retry', 'b1', fixture], { FIRST_FIX_FILE: fix });
    expect(retried.out).toContain('run b1 is already pending (retried, not yet executed); executing it here');
    expect(retried.out).toContain('"fixed"');
    expect(retried.code).toBe(0);
  });

  it('a worker stopped by a signal exits 128 + its number: 130 on SIGINT, 143 on SIGTERM', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const worker = await startWorker(files.db, fixture, ['-q']);
      worker.child.kill(signal);
      expect(await worker.exit).toBe(code);
    }
  });

  it('show into a pipe whose reader already closed ends quietly (no EPIPE crash)', async () => {
    const show = startCli(['--db', files.db, 'show', 'n1']);
    show.child.stdout?.destroy(); // the reader is gone before the command writes: `| head -0`
    const code = await show.exit;
    expect(show.err()).toBe('');
    expect(code).toBe(0);
  });
});
