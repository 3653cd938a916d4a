// `npm start`: the demo names the step the kill cut short, prints an aligned attempts table, and
// the interrupted attempt ends when its process was last known alive, not when process 2 noticed.
// Part 5 (issue 8 §11): each toolkit fact the demo prints is also checked in the database.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const demo = join(root, 'build/examples/demo/run-demo.js');

interface Demo {
  code: number | null;
  out: string;
  killSeenAt: number;
  db: string;
  runId: string;
  toolkitRunId: string;
}

let run: Demo;

/** The lines of part 5, without their indent. */
function toolkitLines(): string[] {
  const part = run.out.slice(run.out.indexOf('5) '), run.out.indexOf('\nDone in '));
  return part
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.slice(2));
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const check = new Database(run.db, { readonly: true });
  try {
    return check.prepare(sql).all(...params) as T[];
  } finally {
    check.close();
  }
}

function events<T>(type: string): Array<T & { id: number; at: number }> {
  return query<{ id: number; data: string; at: number }>(
    'SELECT id, data, at FROM events WHERE run_id = ? AND type = ? ORDER BY id',
    run.toolkitRunId,
    type,
  ).map((e) => ({ ...(JSON.parse(e.data) as T), id: e.id, at: e.at }));
}

function step(stepId: string): { status: string; output: unknown; kind: string } | undefined {
  const [row] = query<{ status: string; output: string | null; kind: string }>(
    'SELECT status, output, kind FROM step_results WHERE run_id = ? AND step_id = ?',
    run.toolkitRunId,
    stepId,
  );
  return row && { ...row, output: row.output === null ? null : JSON.parse(row.output) };
}

beforeAll(async () => {
  if (!existsSync(demo)) throw new Error('The demo test needs the build: run `npm run build` first (npm test does).');
  const child = spawn(process.execPath, [demo], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let killSeenAt = Infinity;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (killSeenAt === Infinity && out.includes('💥 SIGKILL')) killSeenAt = Date.now();
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const [, db, runId] = /Inspect it: npx lifeline --db (\S+) show (\S+)/.exec(out) ?? [];
  const [, toolkitRunId] = /and: npx lifeline --db \S+ show (\S+)/.exec(out) ?? [];
  run = { code, out, killSeenAt, db: db!, runId: runId!, toolkitRunId: toolkitRunId! };
}, 60_000);

describe('the demo', () => {
  it('names the killed step, aligns the attempts table, ends the interrupted attempt before the kill', () => {
    const { out } = run;
    expect(run.code).toBe(0);
    expect(out).toMatch(/process 1 ended by SIGKILL in the middle of step data#0 \(attempt 1\)\n/);

    const section = out.slice(out.indexOf('3) Every attempt')).split('\n').slice(1);
    const table = section.slice(0, section.indexOf('')).filter((l) => !l.startsWith('  ('));
    const header = table[0]!;
    const rows = table.slice(1);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const outcome = /\b(succeeded|failed|interrupted)\b/.exec(row)!;
      expect(outcome.index, row).toBe(header.indexOf('OUTCOME'));
      expect(row.indexOf(' ms'), row).toBeLessThan(header.indexOf('WORKER'));
    }

    const interrupted = query<{ started_at: number; ended_at: number; duration_ms: number }>(
      "SELECT started_at, ended_at, duration_ms FROM attempts WHERE run_id = ? AND outcome = 'interrupted'",
      run.runId,
    );
    expect(interrupted).toHaveLength(1);
    // the test saw the kill after it happened; the old end time (process 2's takeover) came later
    expect(interrupted[0]!.ended_at).toBeLessThanOrEqual(run.killSeenAt);
    expect(interrupted[0]!.duration_ms).toBe(interrupted[0]!.ended_at - interrupted[0]!.started_at);
  });

  it('shows a model fallback after a timeout: model-a hangs past 250 ms, model-b answers', () => {
    const lines = toolkitLines();
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^fallback {2}summary#0 attempt 1 → model-a: timeout after \d+ ms \(timeout: Step "summary#0" timed out after 250 ms, moved to model-b\)$/,
      ),
    );
    expect(lines).toContain('fallback  summary#0 attempt 2 → model-b: answered "EU market entry: revenue up 4%, churn steady at 3.1%"');

    const attempts = query<{ attempt: number; alternative: string; outcome: string; error_class: string | null; moved_on: string | null; duration_ms: number }>(
      "SELECT attempt, alternative, outcome, error_class, moved_on, duration_ms FROM attempts WHERE run_id = ? AND step_id = 'summary#0' ORDER BY attempt",
      run.toolkitRunId,
    );
    expect(attempts.map(({ duration_ms: _, ...a }) => a)).toEqual([
      {
        attempt: 1,
        alternative: 'model-a',
        outcome: 'timeout',
        error_class: 'timeout',
        moved_on: 'timeout: Step "summary#0" timed out after 250 ms, moved to model-b',
      },
      { attempt: 2, alternative: 'model-b', outcome: 'succeeded', error_class: null, moved_on: null },
    ]);
    expect(attempts[0]!.duration_ms).toBeGreaterThanOrEqual(250);
    expect(step('summary#0')).toEqual({
      kind: 'fallback',
      status: 'completed',
      output: { value: 'EU market entry: revenue up 4%, churn steady at 3.1%', alternative: 'model-b' },
    });
    expect(events<{ from: string; to: string; errorClass: string }>('step.fallback')).toMatchObject([
      { from: 'model-a', to: 'model-b', errorClass: 'timeout' },
    ]);
  });

  it('shows the shared breaker opening after two failures, deferring the step, and closing when the probe succeeds', () => {
    const lines = toolkitLines().filter((l) => l.startsWith('breaker'));
    const index = (pattern: RegExp) => {
      const i = lines.findIndex((l) => pattern.test(l));
      expect(i, `${pattern.source} in\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const failed1 = index(/^breaker {3}market#0 attempt 1 failed: transient: read ECONNRESET/);
    const failed2 = index(/^breaker {3}market#0 attempt 2 failed: transient: read ECONNRESET/);
    const opened = index(/^breaker {3}market-api opened at \+\d+ ms: 2 of 2 calls failed \(100 % >= 50 %\)$/);
    const deferred = index(/^breaker {3}market#0 deferred while open \(breaker:market-api\) until \+\d+ ms: the run sleeps, no attempt used$/);
    const halfOpen = index(/^breaker {3}market-api half-open at \+\d+ ms: cool-down over$/);
    const probe = index(/^breaker {3}market#0 attempt 3 is the probe: succeeded; market-api is closed in the database$/);
    const closed = index(/^breaker {3}market-api closed at \+\d+ ms: 1 probe call\(s\) succeeded$/);
    expect(failed1).toBeLessThan(opened);
    expect(failed2).toBeLessThan(deferred);
    expect(opened).toBeLessThan(deferred);
    expect(deferred).toBeLessThan(halfOpen);
    expect(halfOpen).toBeLessThan(probe);
    expect(probe).toBeLessThan(closed);

    // No attempt was used while open: two failures, then the probe.
    const attempts = query<{ attempt: number; outcome: string; started_at: number }>(
      "SELECT attempt, outcome, started_at FROM attempts WHERE run_id = ? AND step_id = 'market#0' ORDER BY attempt",
      run.toolkitRunId,
    );
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    const [deferral, ...more] = events<{ stepId: string; gate: string; reason: string; retryAt: number }>('step.deferred');
    expect(more).toEqual([]);
    expect(deferral).toMatchObject({ stepId: 'market#0', gate: 'breaker:market-api' });
    // deferred until the cool-down (600 ms from the opening, just before) ends, and the probe waited it out
    expect(deferral!.retryAt).toBeGreaterThan(deferral!.at);
    expect(deferral!.retryAt - deferral!.at).toBeLessThanOrEqual(600);
    expect(attempts[2]!.started_at).toBeGreaterThanOrEqual(deferral!.retryAt);
    // The breaker's row: closed after it was open (it changed state after the deferral), by the probe.
    const [row] = query<{ state: string; data: string }>("SELECT state, data FROM breakers WHERE key = 'market-api'");
    const data = JSON.parse(row!.data) as { state: string; changedAt: number; reason: string };
    expect(row!.state).toBe('closed');
    expect(data).toMatchObject({ state: 'closed', reason: '1 probe call(s) succeeded' });
    expect(data.changedAt).toBeGreaterThanOrEqual(deferral!.retryAt);
  });

  it('shows the data_helper route on insufficient data, with the helper as a step of its own', () => {
    const lines = toolkitLines();
    expect(lines).toContain(
      'route     analyze#0 failed (validation: insufficient data: one source for a market estimate) → data_helper#0 completed: "EU market entry — warehouse export"',
    );
    expect(lines).toContain('route     analyze#1 completed: "market share 18% (checked against EU market entry — warehouse export)"');

    expect(events('step.routed')).toMatchObject([
      {
        stepId: 'analyze#0',
        helper: 'data_helper#0',
        retryStepId: 'analyze#1',
        route: 1,
        errorClass: 'validation',
        message: 'insufficient data: one source for a market estimate',
      },
    ]);
    expect(step('analyze#0')).toMatchObject({ status: 'failed' });
    expect(step('data_helper#0')).toEqual({ kind: 'step', status: 'completed', output: 'EU market entry — warehouse export' });
    expect(step('analyze#1')).toMatchObject({ status: 'completed', output: 'market share 18% (checked against EU market entry — warehouse export)' });
  });

  it('shows a feedback loop detected, escalated to a person, and resolved by the signal the demo sends', () => {
    const lines = toolkitLines();
    const detected = lines.indexOf('loop      writer: same_error (the same error 2 times in a row) → escalation "human": the run waits for signal loop:writer');
    const signalled = lines.indexOf('signal    the demo answers as the person: loop:writer "source: warehouse export, Q3"');
    const resolved = lines.findIndex((l) => l.startsWith('loop      resolved: draft 3 "Draft: market share 18%') && l.endsWith('approved by the reviewer'));
    expect(
      [detected, signalled, resolved].every((i) => i >= 0),
      lines.join('\n'),
    ).toBe(true);
    expect(detected).toBeLessThan(signalled);
    expect(signalled).toBeLessThan(resolved);

    const [loop, ...more] = events<{ guard: string; kind: string; level: string; signal: string }>('run.loop_detected');
    expect(more).toEqual([]);
    expect(loop).toMatchObject({ guard: 'writer', kind: 'same_error', level: 'human', signal: 'loop:writer' });
    const waiting = events<{ signals: string[] }>('run.waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.signals).toEqual(['loop:writer']);
    expect(waiting[0]!.id).toBeGreaterThan(loop!.id);
    const signals = query<{ name: string; payload: string; consumed_by_step: string | null; created_at: number }>(
      'SELECT name, payload, consumed_by_step, created_at FROM signals WHERE run_id = ?',
      run.toolkitRunId,
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ name: 'loop:writer', payload: JSON.stringify('source: warehouse export, Q3') });
    expect(signals[0]!.consumed_by_step).not.toBeNull();
    expect(signals[0]!.created_at).toBeGreaterThanOrEqual(loop!.at);
    // the same draft twice, then the one with the person's note
    const writes = query<{ output: string }>("SELECT output FROM step_results WHERE run_id = ? AND name = 'write' ORDER BY seq", run.toolkitRunId).map(
      (w) => JSON.parse(w.output) as string,
    );
    expect(writes).toHaveLength(3);
    expect(writes[1]).toBe(writes[0]);
    expect(writes[2]).toBe(`${writes[0]!.slice(0, -1)}; source: warehouse export, Q3.`);
  });

  it('shows the report degraded to BASIC with the missing sections named, and the run completes', () => {
    const lines = toolkitLines();
    const at = lines.indexOf('degraded  report market: level BASIC, missing forecast, competitors');
    expect(at, lines.join('\n')).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe(
      '          - forecast: input "forecast" is missing: [validation] Step "forecast#0" failed with validation error after 1 attempt: forecast model returned an empty series',
    );
    expect(lines[at + 2]).toBe(
      '          - competitors: input "competitors" is missing: [configuration] Step "competitors#0" failed with configuration error after 1 attempt: competitor index refused the API key',
    );
    expect(lines.at(-1)).toBe('report    BASIC: summary, analysis');

    expect(events('run.degraded')).toMatchObject([
      {
        name: 'market',
        level: 'BASIC',
        missing: [
          { section: 'forecast', reason: expect.stringContaining('forecast model returned an empty series') },
          { section: 'competitors', reason: expect.stringContaining('competitor index refused the API key') },
        ],
      },
    ]);
    const [runRow] = query<{ status: string; output: string }>('SELECT status, output FROM runs WHERE id = ?', run.toolkitRunId);
    expect(runRow!.status).toBe('completed');
    expect(JSON.parse(runRow!.output)).toMatchObject({ level: 'BASIC', complete: false, built: ['summary', 'analysis'] });
  });
});
