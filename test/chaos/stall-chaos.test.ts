// Chaos with STALLED workers: 3 `lifeline worker` processes, a random one SIGSTOPped for twice
// its lease and then SIGCONTed, over and over, on SQLite and on PostgreSQL. A stalled worker's
// runs are taken over while it is stopped; when it continues it must not execute a step whose
// result the new owner already committed (issue 6 §1), and every execution must have its own
// attempt row, none left running (§3). Every step body logs its start (key, pid, wall time,
// attempt) to a file before anything else; the effect sink logs its effect (chaos-effects.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EFFECT_TABLES_SQL } from '../fixtures/chaos-effects.js';
import { STEPS } from '../fixtures/chaos-workflow.js';
import { acquirePostgres } from '../pg/pg-fixture.js';
import type { TestPostgres } from '../pg/pg-harness.js';
import { tempDir } from '../helpers.js';
import { leaseSafetyMarginMs } from '../../src/engine/fenced-start.js';
import { requireBuild, runChaos, type ChaosReport } from './chaos-driver.js';
import { classifyLateStarts, type Check, type LateStart } from './stall-window.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20261129);
const RUNS = 120;
const LEASE_MS = 1000;
const STALL_MS = 2 * LEASE_MS;
const tmp = tempDir('lifeline-stall-chaos-');
let server: TestPostgres | undefined;

beforeAll(() => requireBuild());
afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

interface Start {
  key: string;
  pid: number;
  at: number;
  attempt: number;
  /** Monotonic ms of the body's first instruction in its process. */
  mono: number;
}

/** The starts file: one line per body that began, one "check" line per deadline check that let one begin. */
function readStarts(file: string): { starts: Start[]; checks: Check[] } {
  const starts: Start[] = [];
  const checks: Check[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const f = line.split(' ');
    if (f[0] === 'check') {
      const [, key = '', pid, attempt, checkedAt, , wallAt] = f;
      checks.push({ key, pid: Number(pid), attempt: Number(attempt), checkedAt: Number(checkedAt), wallAt: Number(wallAt) });
    } else {
      const [key = '', pid, at, attempt, mono] = f;
      starts.push({ key, pid: Number(pid), at: Number(at), attempt: Number(attempt), mono: Number(mono) });
    }
  }
  return { starts, checks };
}

const pidOf = (workerId: string) => Number(workerId.split(':').at(-2));

/** Violations of the stall invariants, and how much the scenario exercised. */
async function stallViolations(report: ChaosReport, startsFile: string, effectKeys: number) {
  const violations: string[] = [];
  const { starts, checks } = readStarts(startsFile);
  const late: LateStart[] = [];
  const lateCommits: string[] = [];
  const startsByKey = new Map<string, Start[]>();
  for (const s of starts) startsByKey.set(s.key, [...(startsByKey.get(s.key) ?? []), s]);
  const runs = await report.store.listRuns({ limit: RUNS + 10 });
  if (runs.length !== RUNS) violations.push(`${runs.length} runs, expected ${RUNS}`);
  let takenOver = 0;
  for (const run of runs) {
    if (run.status !== 'completed') violations.push(`run ${run.id} is ${run.status}`);
    if (run.claimCount > 1) takenOver++;
    const attempts = await report.store.listAttempts(run.id);
    for (const a of attempts) if (a.outcome === 'running') violations.push(`${run.id} ${a.stepId} attempt ${a.attempt} left running`);
    for (let s = 0; s < STEPS; s++) {
      const stepId = `s${s}#0`;
      const key = `${run.id}:${stepId}`;
      const mine = attempts.filter((a) => a.stepId === stepId);
      const committed = mine.find((a) => a.outcome === 'succeeded');
      const began = startsByKey.get(key) ?? [];
      if (!committed) {
        violations.push(`${key} has no succeeded attempt`);
        continue;
      }
      // No execution began after the committed attempt ended (the commit's time, this host's clock).
      for (const b of began) {
        if (b.at > (committed.endedAt ?? Infinity)) {
          late.push({ key, pid: b.pid, attempt: b.attempt, bodyAt: b.mono, wallAt: b.at });
          lateCommits.push(
            `${key} ran again after its commit: pid ${b.pid} attempt ${b.attempt} at ${b.at}, committed by pid ${pidOf(committed.workerId)} at ${committed.endedAt}`,
          );
        }
      }
      // Every execution has its own attempt row: its number, its worker; no number given twice.
      const numbers = began.map((b) => b.attempt);
      const reused = numbers.filter((n, i) => numbers.indexOf(n) !== i);
      if (reused.length > 0) violations.push(`${key}: attempt number(s) ${reused.join(',')} given to more than one execution`);
      for (const b of began) {
        if (!mine.some((a) => a.attempt === b.attempt && pidOf(a.workerId) === b.pid)) {
          violations.push(
            `${key}: the execution by pid ${b.pid} with attempt ${b.attempt} left no attempt row (rows: ${mine.map((a) => `${a.attempt}/${pidOf(a.workerId)}/${a.outcome}`).join(' ')})`,
          );
        }
      }
    }
  }
  if (effectKeys !== RUNS * STEPS) violations.push(`${effectKeys} effects applied, expected ${RUNS * STEPS}`);
  // A late start is a violation unless the test's own stall landed in the documented window.
  const inWindow: string[] = [];
  classifyLateStarts(late, checks, report.stalls, leaseSafetyMarginMs(LEASE_MS)).forEach((verdict, i) => {
    if (verdict.inWindow) inWindow.push(`${lateCommits[i]} (${verdict.evidence})`);
    else violations.push(`${lateCommits[i]} (${verdict.evidence})`);
  });
  // How far apart the checks and the bodies they let start were (the window's width in practice).
  const checkAt = new Map(checks.map((c) => [`${c.key} ${c.pid} ${c.attempt}`, c.checkedAt]));
  const gaps = starts.map((b) => b.mono - (checkAt.get(`${b.key} ${b.pid} ${b.attempt}`) ?? NaN)).filter((g) => !Number.isNaN(g));
  if (gaps.length !== starts.length) violations.push(`${starts.length - gaps.length} of ${starts.length} executions have no deadline check recorded`);
  return { violations, executions: starts.length, takenOver, inWindow, maxGapMs: Math.max(0, ...gaps) };
}

async function scenario(label: string, db: string, effects: string, countEffects: () => Promise<number>) {
  const startsFile = join(tmp.dir, `${label}.starts`);
  const report = await runChaos({
    db,
    effects,
    runs: RUNS,
    workers: 3,
    seed: SEED,
    maxSeconds: 60,
    stallMs: STALL_MS,
    workerArgs: ['--lease-ms', String(LEASE_MS), '--heartbeat-ms', String(LEASE_MS / 4)],
    env: { CHAOS_STARTS: startsFile },
  });
  try {
    const { violations, executions, takenOver, inWindow, maxGapMs } = await stallViolations(report, startsFile, await countEffects());
    console.log(
      `[stall-chaos/${label}] seed=${SEED} stalls=${report.kills} runs taken over=${takenOver} step executions=${executions} (${RUNS * STEPS} steps) ` +
        `longest check-to-body gap ${maxGapMs.toFixed(1)} ms, stalls inside the documented window ${inWindow.length} ${report.seconds.toFixed(1)} s`,
    );
    for (const line of inWindow) console.log(`[stall-chaos/${label}] inside the documented window: ${line}`);
    expect(report.stderr.split('\n').filter((l) => /SQLITE_BUSY/.test(l) || (!l.includes('⚠') && /unhandled|Error:/i.test(l)))).toEqual([]);
    expect(violations).toEqual([]);
    // The scenario really stalled workers holding runs: some runs changed hands.
    expect(report.kills).toBeGreaterThanOrEqual(2);
    expect(takenOver).toBeGreaterThan(0);
  } finally {
    await report.store.close();
  }
}

describe('chaos with stalled workers (SIGSTOP for twice the lease, then SIGCONT)', () => {
  it(`SQLite: no committed step runs again, one attempt row per execution (seed ${SEED})`, async () => {
    const effectsPath = join(tmp.dir, 'effects.db');
    const effectsDb = new Database(effectsPath);
    effectsDb.pragma('journal_mode = WAL');
    effectsDb.exec(EFFECT_TABLES_SQL('', 'sqlite'));
    effectsDb.close();
    await scenario('sqlite', join(tmp.dir, 'stall.db'), `sqlite:${effectsPath}`, async () => {
      const check = new Database(effectsPath, { readonly: true });
      try {
        return (check.prepare('SELECT COUNT(*) AS n FROM effects').get() as { n: number }).n;
      } finally {
        check.close();
      }
    });
  }, 90_000);

  it(`PostgreSQL: the same (seed ${SEED})`, async () => {
    server = await acquirePostgres();
    const url = (schema: string) => `${server!.url}${server!.url.includes('?') ? '&' : '?'}schema=${schema}`;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA stall_effects; ${EFFECT_TABLES_SQL('stall_effects.', 'postgres')}`);
      await scenario('postgres', url('stall_chaos'), url('stall_effects'), async () =>
        Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM stall_effects.effects')).rows[0]?.n),
      );
    } finally {
      await client.end();
    }
  }, 150_000);
});
