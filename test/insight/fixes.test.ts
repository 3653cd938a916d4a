// Fix records on SQLite and PostgreSQL: recorded against a fingerprint with the shape of its
// latest failure, then tracked: failures of that fingerprint after the fix make it regressed.
// The engine writes fingerprints with issue 10 §1; here they are planted on the attempt rows.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { recordFix, listFixes } from '../../src/insight/fixes.js';
import { recommend } from '../../src/insight/recommend.js';
import type { Pattern } from '../../src/insight/types.js';
import type { Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ManualClock } from '../../src/time/clock.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());
const pg = usePostgres();

type Plant = (sql: string, values: unknown[]) => Promise<void>;

/** A failed attempt of step `step` in a new run, ended at `at`, with a planted fingerprint. */
async function failure(store: Store, plant: Plant, id: string, step: string, at: number, fingerprint: string, kind: string | null) {
  await store.createRun({ id, workflow: 'report', input: '{}', now: at - 10 });
  await store.startAttempt({ runId: id, stepId: `${step}#0`, stepName: step, attempt: 1, startedAt: at - 5, workerId: 'w' });
  await store.endAttempt({ runId: id, stepId: `${step}#0`, attempt: 1, endedAt: at, outcome: 'failed', errorClass: 'rate_limit', errorMessage: 'HTTP 429' });
  await plant('UPDATE attempts SET fingerprint = $1, error_kind = $2, error_name = $3 WHERE run_id = $4', [fingerprint, kind, 'RateLimitError', id]);
}

async function scenario(store: Store, plant: Plant): Promise<void> {
  const clock = new ManualClock();
  const t = clock.now();
  const lifeline = await Lifeline.open({ db: store, clock, workflows: [] });
  await failure(store, plant, 'r1', 'summarize', t - 2000, 'fp-a', null);
  await failure(store, plant, 'r2', 'summarize', t - 1000, 'fp-a', 'overloaded');
  await failure(store, plant, 'r3', 'fetch', t - 1000, 'fp-b', null);

  await expect(recordFix(lifeline, 'fp-none', { note: 'x' })).rejects.toMatchObject({
    message: 'Invalid option recordFix.fingerprint: no failed attempt has fingerprint "fp-none" (copy one from lifeline insight patterns)',
  });
  await expect(recordFix(lifeline, 'fp-a', { note: 'x', action: 'pray' as never })).rejects.toMatchObject({
    message:
      'Invalid option recordFix.action: must be one of "limits", "breaker", "timeout", "fallback", "credentials", "structured", "coverage", "code", "resume", "restart", "reassign", "escalate" (got "pray")',
  });
  await expect(recordFix(lifeline, 'fp-a', { note: '' })).rejects.toMatchObject({
    message: 'Invalid option recordFix.note: must be a non-empty text of at most 2000 characters (got "")',
  });

  const a = await recordFix(lifeline, 'fp-a', { note: 'limits openai to 60/min', action: 'limits' });
  expect(a).toMatchObject({
    fingerprint: 'fp-a',
    note: 'limits openai to 60/min',
    action: 'limits',
    errorClass: 'rate_limit',
    errorKind: 'overloaded', // the latest failure's shape
    errorName: 'RateLimitError',
    stepName: 'summarize',
    workflow: 'report',
    createdAt: t,
    failuresAfter: 0,
    lastFailureAt: null,
  });
  await recordFix(lifeline, 'fp-b', { note: 'bigger pool' });
  await clock.advance(60_000);
  await failure(store, plant, 'r4', 'fetch', t + 30_000, 'fp-b', null); // fp-b comes back after its fix

  const fixes = await listFixes(lifeline);
  expect(fixes.map((f) => [f.fingerprint, f.action, f.failuresAfter, f.lastFailureAt])).toEqual([
    ['fp-b', null, 1, t + 30_000],
    ['fp-a', 'limits', 0, null],
  ]);
  expect((await listFixes(lifeline, { fingerprint: 'fp-a' })).map((f) => f.id)).toEqual([a.id]);

  const pattern = (fingerprint: string, lastSeen: number): Pattern =>
    ({
      fingerprint,
      errorClass: 'rate_limit',
      errorKind: null,
      steps: ['x'],
      workflows: ['report'],
      models: [],
      lastSeen,
      trend: 'steady',
      rateLastHour: 0,
      ratePrev24h: 0,
      count: 1,
      exampleMessage: '',
      exampleRunId: 'r',
    }) as unknown as Pattern;
  const recs = recommend({ patterns: [pattern('fp-a', t - 1000), pattern('fp-b', t + 30_000)], fixes });
  expect(recs.map((r) => [r.fingerprint, r.status, r.fix?.note])).toEqual([
    ['fp-b', 'regressed', 'bigger pool'],
    ['fp-a', 'resolved', 'limits openai to 60/min'],
  ]);
  await lifeline.close();
}

describe('fix records', () => {
  it('on SQLite', async () => {
    const path = join(tmp.dir, 'fixes.db');
    const store = await openSqliteStore(path);
    const db = new Database(path);
    try {
      await scenario(store, async (sql, values) => void db.prepare(sql.replace(/\$\d/g, '?')).run(...values));
    } finally {
      db.close();
      await store.close();
    }
  });

  it('on PostgreSQL', async () => {
    const { store, cleanup } = await pg.openFresh({ leaseClock: 'caller' });
    try {
      await scenario(store, (sql, values) => pg.withClient(async (c) => void (await c.query(sql.replace('attempts', `"${store.schema}".attempts`), values))));
    } finally {
      await cleanup();
    }
  });
});
