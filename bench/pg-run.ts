// The PostgreSQL workloads (RAW-PG, W1-PG, W2-PG, W3-PG, TAKEOVER) on one server: a throwaway
// one started by the test harness (fsync on, defaults), or LIFELINE_BENCH_PG_URL. Called by
// run-all.ts, which prints the rows and writes the JSON.
import { round } from './common.js';
import { acquirePg, serverInfo, type PgServerInfo } from './pg-common.js';
import { rawPg, type RawPgResult } from './pg-raw.js';
import { benchW1Pg, type W1PgResult } from './pg-w1.js';
import { benchW2Pg, type W2PgResult } from './pg-w2.js';
import { benchW3Pg } from './pg-w3.js';
import { benchTakeover, type TakeoverResult } from './pg-takeover.js';
import type { W3Result } from './w3.js';

export const PG_TARGETS = { w1Ratio: 1.3, w2RunsPerSec: 600, w3ResumeSec: 0.5, takeoverSec: 5 };
export const PG_WORKLOADS = ['pg-raw', 'pg-w1', 'pg-w2', 'pg-w3', 'takeover'] as const;

/** Reference figures quoted from the issue, not measured here. */
export const PG_REFERENCE = {
  note: 'quoted from the issue, not measured here',
  dbosMsPerStep: 3.4,
  dbosRunsPerSec: 200,
  dbosResumeSec: 1.6,
  rawSequentialCommitThroughPgMs: '0.7-0.9',
};

export interface PgSuiteResult {
  server: PgServerInfo;
  settings: { w2: string; takeover: string };
  targets: typeof PG_TARGETS;
  reference: typeof PG_REFERENCE;
  raw?: RawPgResult;
  w1?: W1PgResult & { ratioToRawAutocommit: number; ratioToRawTx: number };
  w2?: W2PgResult;
  w3?: W3Result;
  takeover?: TakeoverResult;
}

type Row = [string, string, string, string];
type Measure = <T>(name: string, fn: () => T | Promise<T>) => Promise<T>;

export async function runPgSuite(want: (name: string) => boolean, measure: Measure, log: (s: string) => void): Promise<{ rows: Row[]; result: PgSuiteResult }> {
  const server = await acquirePg();
  const rows: Row[] = [];
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  try {
    const info = await serverInfo(server);
    log(
      `postgres: ${info.kind} server ${info.version}, ${Object.entries(info.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}${info.fdatasyncMs !== undefined ? `, fdatasync ${info.fdatasyncMs} ms` : ''}`,
    );
    const result: PgSuiteResult = {
      server: info,
      settings: {
        w2: 'worker processes `node build/src/cli/main.js --db URL worker FILE -q --concurrency N`; "split": total concurrency 16 split across them (16, 8+8, 4x4); "each16": --concurrency 16 each. cold (target): clock from the first worker ready, runs claimable from the start; warm (diag.): runs released once all workers are ready',
        takeover: 'worker defaults: leaseMs 3000, heartbeatMs 1000, pollMs 200; host-a SIGKILLed at a random point of its heartbeat cycle',
      },
      targets: PG_TARGETS,
      reference: PG_REFERENCE,
    };
    const url = server.url;
    if (want('pg-raw') || want('pg-w1')) result.raw = await measure('pg-raw', () => rawPg(url));
    if (want('pg-w1')) {
      const w1 = await measure('pg-w1', () => benchW1Pg(url));
      const raw = result.raw as RawPgResult;
      result.w1 = { ...w1, ratioToRawAutocommit: round(w1.msPerStep / raw.autocommitMs, 3), ratioToRawTx: round(w1.msPerStep / raw.txMs, 3) };
    }
    if (want('pg-w2')) result.w2 = await measure('pg-w2', () => benchW2Pg(url, log));
    if (want('pg-w3')) result.w3 = await measure('pg-w3', () => benchW3Pg(url));
    if (want('takeover')) result.takeover = await measure('takeover', () => benchTakeover(url, log));

    const { raw, w1, w2, w3, takeover } = result;
    if (raw) {
      rows.push(['RAW-PG sequential, autocommit INSERT', `${raw.autocommitMs} ms/commit`, '', '']);
      rows.push(['RAW-PG sequential, BEGIN/INSERT/COMMIT', `${raw.txMs} ms/commit`, '', '']);
      rows.push([`RAW-PG ${raw.concurrent.clients} clients, autocommit`, `${raw.concurrent.commitsPerSec} commits/s`, '', '']);
    }
    if (w1) {
      const t = PG_TARGETS.w1Ratio;
      rows.push(['W1-PG 200 sequential steps', `${w1.msPerStep} ms/step`, '', '']);
      rows.push(['W1-PG / RAW-PG autocommit, paired', `${w1.pairedRatioAutocommit}x`, `<= ${t}x`, met(w1.pairedRatioAutocommit <= t)]);
      rows.push(['W1-PG / RAW-PG autocommit, standalone', `${w1.ratioToRawAutocommit}x`, `<= ${t}x`, met(w1.ratioToRawAutocommit <= t)]);
      rows.push(['W1-PG / RAW-PG BEGIN..COMMIT, paired', `${w1.pairedRatioTx}x`, '(reported)', '']);
      rows.push(['  per step: in commitStep / rest', `${w1.perStep.commitStepMs} / ${w1.perStep.otherMs} ms`, '', '']);
      rows.push(['  statements sent per step', `${w1.perStep.statements}`, '', '']);
      rows.push(['  engine only, step writes no-op (diag.)', `${w1.engineOnlyMsPerStep} ms/step`, '', '']);
    }
    if (w2) {
      const t = PG_TARGETS.w2RunsPerSec;
      for (const c of w2.split) {
        rows.push([`W2-PG ${c.processes} proc x c${c.concurrencyEach} (16 total)`, `${c.runsPerSec} runs/s`, `>= ${t}`, met(c.runsPerSec >= t)]);
      }
      for (const c of w2.splitWarm) rows.push([`  warm: ${c.processes} proc x c${c.concurrencyEach} (diag.)`, `${c.runsPerSec} runs/s`, '', '']);
      for (const c of w2.each16) rows.push([`W2-PG ${c.processes} proc x c16 each (diag.)`, `${c.runsPerSec} runs/s`, '', '']);
      for (const c of w2.each16Warm) rows.push([`  warm: ${c.processes} proc x c16 each (diag.)`, `${c.runsPerSec} runs/s`, '', '']);
      for (const c of w2.split) {
        const mid = [...c.reps].sort((a, b) => a.runsPerSec - b.runsPerSec)[Math.floor(c.reps.length / 2)];
        if (mid) rows.push([`  ${c.processes} proc: CPU/run (workers+server), txns/run`, `${mid.cpu.perRunMs} ms, ${mid.perRun.transactions}`, '', '']);
      }
    }
    if (w3) {
      const sec = round(w3.plain.resumeToFirstLineMs / 1000, 3);
      rows.push(['W3-PG resume -> first new line', `${sec} s`, `<= ${PG_TARGETS.w3ResumeSec} s`, met(sec <= PG_TARGETS.w3ResumeSec)]);
      rows.push(['W3-PG completed steps re-executed', `${w3.plain.completedStepsReExecuted}`, '0', met(w3.plain.completedStepsReExecuted === 0)]);
      rows.push(['W3-PG in-flight step re-executed', `${w3.plain.inFlightReExecuted}`, '(at-least-once)', '']);
      const idem = round(w3.idempotent.resumeToFirstLineMs / 1000, 3);
      rows.push(['W3-PG idempotent: resume -> first line', `${idem} s`, `<= ${PG_TARGETS.w3ResumeSec} s`, met(idem <= PG_TARGETS.w3ResumeSec)]);
      rows.push([
        'W3-PG idempotent: duplicate effects',
        `${w3.idempotent.duplicateEffects}`,
        '0',
        met(w3.idempotent.duplicateEffects === 0 && w3.idempotent.completedStepsReExecuted === 0),
      ]);
    }
    if (takeover) {
      const sec = round(takeover.killToFirstStepMs / 1000, 3);
      rows.push(['TAKEOVER kill -> first step on host-b', `${sec} s`, `<= ${PG_TARGETS.takeoverSec} s`, met(sec <= PG_TARGETS.takeoverSec)]);
      rows.push(['TAKEOVER completed steps re-executed', `${takeover.completedStepsReExecuted}`, '0', met(takeover.completedStepsReExecuted === 0)]);
    }
    return { rows, result };
  } finally {
    await server.stop();
  }
}
