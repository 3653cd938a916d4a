// `lifeline escalations`, `lifeline resolve`, the lifeline.resolve signal and the recoveries in
// `lifeline show`, through the built CLI on a real SQLite file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliFiles, fixturePath, cliOn } from './kit.js';

const fixture = fixturePath('cli-workflows');
const files = useCliFiles('recovery.db');

const lifeline = cliOn(() => files.db);

const ESCALATED =
  'Escalated (recovery[0] escalate on validation: a person checks the totals): Step "check#0" failed with validation error after 1 attempt: totals do not add up Resolve it with lifeline resolve RUN retry|skip|cancel.';

describe('lifeline escalations and resolve', () => {
  it('an escalated run is listed, resolved with retry once fixed (only the failed step runs again), and shows its recovery', () => {
    const fix = join(files.dir, 'fixed');
    const env = { CLI_FIX_FILE: fix };
    const run = lifeline(['run', fixture, '-w', 'cli.escalating', '--run-id', 'e1'], env);
    expect(run.code, run.err).toBe(7);
    expect(run.out).toContain('■ e1 escalated: recovery[0] escalate on validation: a person checks the totals (lifeline resolve e1 retry|skip|cancel)');
    expect(run.err).toBe(`run e1 is parked: ${ESCALATED}\n`);
    expect(lifeline(['escalations']).out).toMatch(
      /^RUN\s+WORKFLOW\s+STEP\s+CLASS\s+SINCE\s+REASON\ne1\s+cli\.escalating\s+check#0\s+validation\s+\S+\s+recovery\[0\] escalate on validation: a person checks the totals\n$/,
    );
    const bad = lifeline(['resolve', 'e1', 'later']);
    expect(bad).toMatchObject({ code: 2, err: 'lifeline: Unknown action "later" (known: retry, skip, cancel)\n' });

    writeFileSync(fix, '');
    const resolved = lifeline(['resolve', 'e1', 'retry', fixture], env);
    expect(resolved.code, resolved.err).toBe(0);
    expect(resolved.out).toContain('run e1 resolved with retry: it is pending; executing it here');
    expect(resolved.out).toContain('↺ before#0 replayed from checkpoint');
    expect(resolved.out).toContain('✓ check#0 executed (attempt 2)');
    expect(resolved.out).toContain('"check": "checked"');
    expect(lifeline(['escalations']).out).toBe('no escalations\n');
    const show = lifeline(['show', 'e1']).out;
    expect(show).toMatch(
      /recoveries\n#\s+STRATEGY\s+GEN\s+CLASS\s+STEP\s+DECIDED\s+OUTCOME\s+DETAIL\n1\s+escalate\s+1\s+validation\s+check#0\s+\S+\s+recovered in \d+ ms\s+recovery\[0\] escalate on validation: a person checks the totals; resolved: retry\n/,
    );
    const again = lifeline(['resolve', 'e1', 'retry']);
    expect(again).toMatchObject({ code: 2, err: 'lifeline: Cannot resolve run e1: it is completed. Only an escalated run can be resolved.\n' });
  });

  it('the lifeline.resolve signal skips the failed step; resolve cancel cancels', () => {
    expect(lifeline(['run', fixture, '-w', 'cli.escalating', '--run-id', 'e2']).code).toBe(7);
    expect(lifeline(['signal', 'e2', 'lifeline.resolve', '{"action":"skip"}'])).toMatchObject({ code: 0, out: 'signal "lifeline.resolve" sent to run e2\n' });
    expect(lifeline(['run', fixture, '-w', 'cli.escalating', '--run-id', 'e2', '-q'])).toMatchObject({ code: 0, out: '{"before":"kept","check":null}\n' });
    expect(lifeline(['run', fixture, '-w', 'cli.escalating', '--run-id', 'e3']).code).toBe(7);
    expect(lifeline(['resolve', 'e3', 'cancel'])).toMatchObject({ code: 0, out: 'run e3 cancelled\n' });
    expect(JSON.parse(lifeline(['show', 'e3', '--json']).out).recoveries).toMatchObject([{ strategy: 'escalate', resolution: 'cancel', outcome: 'cancelled' }]);
    expect(lifeline(['resolve', 'nope', 'retry'])).toMatchObject({ code: 4, err: 'lifeline: No run with id "nope" in this database.\n' });
  });
});
