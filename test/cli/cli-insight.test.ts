// `lifeline insight slo | recovery | fix | recommend` on a SQLite file written at known times
// (relative to now: the CLI runs on the system clock).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers.js';
import { writeRuns, type PlannedRun } from '../insight/run-history.js';
import { requireBuild, runCli } from './kit.js';

let tmp: ReturnType<typeof tempDir>;

const lifeline = (db: string, args: string[]) => runCli(db, args);

beforeAll(() => {
  requireBuild();
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

const M = 60_000;

describe('lifeline insight slo', () => {
  it('refuses an SLO file with errors, naming the file and the path in it (exit 2)', () => {
    const db = join(tmp.dir, 'slo-bad.db');
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        slos: [
          { workflow: 'a', success: 0.99 },
          { workflow: 'b', latency: { within: '10m', target: 95 } },
        ],
      }),
    );
    expect(lifeline(db, ['insight', 'slo', '--slo-file', file])).toMatchObject({
      code: 2,
      err: `lifeline: Invalid SLO file ${file}: slos[1].latency.target: must be a ratio above 0 and below 1, e.g. 0.99 (got 95)\n`,
    });
    writeFileSync(file, '{ "slos": [');
    const broken = lifeline(db, ['insight', 'slo', '--slo-file', file]);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(new RegExp(`^lifeline: Invalid SLO file ${file}: not valid JSON \\(`));
    writeFileSync(file, '{ "slo": [] }');
    expect(lifeline(db, ['insight', 'slo', '--slo-file', file]).err).toBe(
      `lifeline: Invalid SLO file ${file}: slos: must be an array of SLOs (got undefined)\n`,
    );
    expect(lifeline(db, ['insight', 'slo', '--slo-file', join(tmp.dir, 'missing.json')]).err).toBe(
      `lifeline: Invalid SLO file ${join(tmp.dir, 'missing.json')}: cannot read it (ENOENT)\n`,
    );
  });

  it('exits 8 while an SLO pages, 0 when all are ok or ticket; the transition is reported once', async () => {
    const db = join(tmp.dir, 'slo.db');
    const now = Date.now();
    const runs: PlannedRun[] = [];
    // checkout: the last 20 minutes, half of the runs failed; search: all fine. Each run ends 30 s
    // after a whole minute, so the CLI, however slow to start, sees the same 5 in its last 5 minutes.
    for (let i = 0; i < 20; i++)
      runs.push({
        id: `c${i}`,
        workflow: 'checkout',
        createdAt: now - 20 * M + i * M,
        finishedAt: now - 20 * M + i * M + 30_000,
        status: i % 2 ? 'failed' : 'completed',
      });
    for (let i = 0; i < 10; i++) runs.push({ id: `s${i}`, workflow: 'search', createdAt: now - 30 * M + i * M, finishedAt: now - 30 * M + i * M + 500 });
    const store = await openSqliteStore(db);
    await writeRuns(store, runs);
    await store.close();
    const file = join(tmp.dir, 'slos.json');
    writeFileSync(
      file,
      JSON.stringify({
        slos: [
          { workflow: 'checkout', success: 0.99 },
          { workflow: 'search', success: 0.999, latency: { within: '1m', target: 0.9 } },
        ],
      }),
    );

    const first = lifeline(db, ['insight', 'slo', '--slo-file', file]);
    expect(first.code).toBe(8);
    const lines = first.out.trim().split('\n');
    expect(lines[0]).toMatch(/^WORKFLOW\s+OBJECTIVE\s+GOOD\/COUNTED\s+BUDGET LEFT\s+BURN 5m\s+BURN 30m\s+BURN 1h\s+BURN 6h\s+BURN 3d\s+LEVEL\s+WHY$/);
    expect(lines[1]).toMatch(
      /^checkout\s+99\.00% succeed\s+10\/20 in 30\.0d\s+-4900\.0%\s+60\.0\s+50\.0\s+50\.0\s+50\.0\s+50\.0\s+PAGING\s+burn rate 50\.0 over 1h and 60\.0 over 5m, both above 14\.4$/,
    );
    expect(lines[2]).toMatch(/^search\s+99\.90% succeed\s+10\/10 in 30\.0d\s+100\.0%\s+0\s+0\s+0\s+0\s+0\s+OK\s+/);
    expect(lines[3]).toMatch(/^search\s+90\.00% within 1\.0m\s+10\/10/);

    const again = lifeline(db, ['insight', 'slo', '--slo-file', file, '--json']);
    expect(again.code).toBe(8);
    const report = JSON.parse(again.out) as { paging: boolean; rows: Array<{ key: string; level: string; changed: boolean; from: string | null }> };
    expect(report.paging).toBe(true);
    expect(report.rows.map((r) => [r.key, r.level, r.changed, r.from])).toEqual([
      ['checkout:success', 'paging', false, 'paging'],
      ['search:success', 'ok', false, 'ok'],
      ['search:latency', 'ok', false, 'ok'],
    ]);
    expect(lifeline(db, ['insight', 'slo', '--slo-file', file, '--workflow', 'search']).code).toBe(0);
  });
});

/** A run with one attempt per outcome, one after the other from `at`, each `ms` long. */
async function runWithAttempts(
  store: Awaited<ReturnType<typeof openSqliteStore>>,
  id: string,
  at: number,
  outcomes: Array<'failed' | 'succeeded'>,
  status: 'completed' | 'failed',
) {
  await store.createRun({ id, workflow: 'etl', input: '{}', now: at });
  const [run] = await store.claimRuns({ workerId: 'w', host: 'h', pid: 1, now: at, leaseMs: 3_600_000, limit: 1, workflows: ['etl'], runId: id });
  let t = at;
  for (const [i, outcome] of outcomes.entries()) {
    await store.startAttempt({ runId: id, stepId: 'load#0', stepName: 'load', attempt: i + 1, startedAt: t, workerId: 'w' });
    t += 1000;
    await store.endAttempt({
      runId: id,
      stepId: 'load#0',
      attempt: i + 1,
      endedAt: t,
      outcome,
      ...(outcome === 'failed' ? { errorClass: 'dependency' as const, errorMessage: 'upstream 503' } : {}),
    });
  }
  await store.finishRun({
    runId: id,
    token: run!.lease!.token,
    now: t,
    status,
    ...(status === 'completed' ? { output: 'null' } : { error: { name: 'E', message: 'upstream 503', errorClass: 'dependency' as const } }),
  });
}

describe('lifeline insight recovery, fix, recommend', () => {
  const db = () => join(tmp.dir, 'rec.db');

  beforeAll(async () => {
    const store = await openSqliteStore(db());
    const now = Date.now() - 10 * M;
    await runWithAttempts(store, 'ok1', now, ['succeeded'], 'completed');
    await runWithAttempts(store, 'rec1', now, ['failed', 'failed', 'succeeded'], 'completed');
    await runWithAttempts(store, 'bad1', now, ['failed', 'failed', 'failed'], 'failed');
    await store.close();
  });

  it('recovery: shares, times to recover and the journal, as a table and as JSON; a bad --since is a usage error', () => {
    const json = lifeline(db(), ['insight', 'recovery', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as { total: Record<string, unknown>; journal: Array<Record<string, unknown>> };
    expect(report.total).toMatchObject({
      runs: 3,
      firstTry: 1,
      recovered: 1,
      unrecoverable: 1,
      meanRecoveryMs: 2000,
      medianRecoveryMs: 2000,
      reasons: { provider: 2 },
    });
    expect(report.journal.map((i) => [i.runId, i.strategy, i.outcome, i.failedAttempts, i.recoveryMs])).toEqual([
      ['bad1', 'retry', 'unrecoverable', 3, null],
      ['rec1', 'retry', 'recovered', 2, 2000],
    ]);
    const table = lifeline(db(), ['insight', 'recovery']);
    expect(table.out).toMatch(/^all\s+3\s+33\.3%\s+33\.3%\s+33\.3%\s+2\.0s\s+2\.0s\s+provider 2$/m);
    expect(table.out).toMatch(/^strategy retry\s+-\s+-\s+1\s+1\s+2\.0s\s+2\.0s\s+provider 2$/m);
    expect(table.out).toContain('incident journal');
    expect(table.out).toMatch(/\srec1\s+etl\s+load#0\s+dependency: upstream 503\s+provider\s+retry\s+recovered\s+2\.0s$/m);
    expect(lifeline(db(), ['insight', 'recovery', '--since', 'yesterday'])).toMatchObject({
      code: 2,
      err: 'lifeline: --since must be a duration like 1h, 24h or 7d (got "yesterday")\n',
    });
  });

  it('fix: records against a fingerprint, refuses an unknown one (exit 2), lists fixes as resolved or REGRESSED', () => {
    const sql = new Database(db());
    sql.prepare(`UPDATE attempts SET fingerprint = 'fp-503', error_name = 'HttpError' WHERE run_id = 'rec1' AND outcome = 'failed'`).run();
    sql.close();
    expect(lifeline(db(), ['insight', 'fix', 'fp-nope', '--note', 'x'])).toMatchObject({
      code: 2,
      err: 'lifeline: Invalid option recordFix.fingerprint: no failed attempt has fingerprint "fp-nope" (copy one from lifeline insight patterns)\n',
    });
    expect(lifeline(db(), ['insight', 'fix', 'fp-503'])).toMatchObject({
      code: 2,
      err: 'lifeline: insight fix needs a FINGERPRINT and --note "what was done" (or --list)\n',
    });
    const added = lifeline(db(), ['insight', 'fix', 'fp-503', '--note', 'breaker on upstream', '--action', 'breaker']);
    expect(added).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^fix 1 recorded for fp-503 \(dependency in etl\/load\); it is resolved while the fingerprint does not fail again\n$/),
    });
    expect(lifeline(db(), ['insight', 'fix', '--list']).out).toMatch(/^fp-503\s+\S+\s+breaker\s+etl\/load\s+dependency\s+resolved\s+breaker on upstream$/m);
    const later = new Database(db());
    later.prepare(`UPDATE attempts SET fingerprint = 'fp-503', ended_at = ? WHERE run_id = 'bad1' AND attempt = 3`).run(Date.now() + 60_000);
    later.close();
    expect(lifeline(db(), ['insight', 'fix', '--list']).out).toMatch(/^fp-503\s+.*REGRESSED \(1 failures since\)\s+breaker on upstream$/m);
  });

  it('recommend: a recommendation per failure pattern with its fix status; says when there is none', () => {
    const text = lifeline(db(), ['insight', 'recommend', '--since', '1h']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^fp-503\s+dependency\s+2 failures, new\s+etl \/ load\s+\(REGRESSED after the fix "breaker on upstream"\)$/m);
    expect(text.out).toMatch(/^ {2}→ .*"load"/m);
    const json = JSON.parse(lifeline(db(), ['insight', 'recommend', '--json']).out) as Array<{ fingerprint: string; status: string }>;
    expect(json.map((r) => [r.fingerprint, r.status])).toEqual([['fp-503', 'regressed']]);
    expect(lifeline(db(), ['insight', 'recommend', '--since', '1h', '--workflow', 'other'])).toMatchObject({
      code: 0,
      out: 'no failure patterns since 1h ago: nothing to recommend\n',
    });
  });
});
