// Runs every workload (SQLite, then PostgreSQL), prints a table and writes
// bench/results/latest.json (everything) and bench/results/pg-latest.json (the PostgreSQL part).
// `node build/bench/run-all.js [raw] [w1] [w2] [w3] [w4] [loop] [insight] [pg-raw] [pg-w1] [pg-w2] [pg-w3] [takeover]`
// runs a subset (then nothing is written); `pg` runs every PostgreSQL workload and writes
// pg-latest.json only. PostgreSQL: a throwaway server started by test/pg/pg-harness.ts (fsync on,
// defaults), or the server at LIFELINE_BENCH_PG_URL.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo, noiseMeter, round, ROOT, type Noise } from './common.js';
import { rawCommit, type RawResult } from './raw.js';
import { benchW1, type W1Result } from './w1.js';
import { benchW2, type W2Result } from './w2.js';
import { benchW3, type W3Result } from './w3.js';
import { benchW4, type W4Result } from './w4.js';
import { benchLoop, type LoopResult } from './loop.js';
import { benchInsight, insightRows, type InsightResult } from './insight.js';
import { PG_WORKLOADS, runPgSuite, type PgSuiteResult } from './pg-run.js';

const TARGETS = { w1Ratio: 1.3, w2RunsPerSec: 1000, w3ResumeSec: 0.5, w4NsPerCall: 200, loopMsPerCheck: 0.1 };

const args = process.argv.slice(2);
const onlyPg = args.length === 1 && args[0] === 'pg';
const only = new Set(args.flatMap((a) => (a === 'pg' ? [...PG_WORKLOADS] : [a])));
const want = (name: string) => only.size === 0 || only.has(name);
const log = (s: string) => process.stderr.write(`${s}\n`);

const machine = machineInfo();
// src/ changes under other engineers' hands: record exactly what was measured.
const git = (...args: string[]) => {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const source = {
  commit: git('rev-parse', '--short', 'HEAD'),
  uncommittedSrc: git('status', '--porcelain', 'src')
    .split('\n')
    .filter((l) => l !== ''),
};
log(`source: ${source.commit}${source.uncommittedSrc.length > 0 ? ` + uncommitted src changes: ${source.uncommittedSrc.join(', ')}` : ''}`);
log(`machine: ${machine.nproc} cpu ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.disk}, node ${machine.node}, sqlite ${machine.sqlite}`);

let rawFull: RawResult | undefined;
let rawNormal: RawResult | undefined;
let w1: W1Result | undefined;
let w2: W2Result | undefined;
let w3: W3Result | undefined;
let w4: W4Result | undefined;
let loop: LoopResult | undefined;
let insightResult: InsightResult | undefined;

const noise: Record<string, Noise> = {};
async function measure<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  log(`${name} ...`);
  const stop = noiseMeter();
  const result = await fn();
  noise[name] = stop();
  log(`${name}: machine CPU busy ${noise[name].machineBusyPct}% (this process ${noise[name].selfBusyPct}%), load ${noise[name].loadAvg1}`);
  return result;
}

if (want('raw') || want('w1')) {
  rawFull = await measure('raw', () => rawCommit('FULL'));
  rawNormal = rawCommit('NORMAL');
}
if (want('w1')) w1 = await measure('w1', () => benchW1());
if (want('w2')) w2 = await measure('w2', () => benchW2());
if (want('w3')) w3 = await measure('w3', () => benchW3());
if (want('w4')) w4 = await measure('w4', () => benchW4());
if (want('loop')) loop = await measure('loop', () => benchLoop());
// SQLite and PostgreSQL both: 1,000,000 generated attempts each (bench/insight.ts).
if (want('insight')) insightResult = await measure('insight', () => benchInsight());
let pg: { rows: Array<[string, string, string, string]>; result: PgSuiteResult } | undefined;
if (PG_WORKLOADS.some((name) => want(name))) pg = await runPgSuite(want, measure, log);

const w1Ratio = w1 && rawFull ? round(w1.msPerStep / rawFull.msPerCommit, 3) : undefined;
const w3Sec = w3 ? round(w3.plain.resumeToFirstLineMs / 1000, 3) : undefined;
const rows: Array<[string, string, string, string]> = [];
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
if (rawFull) rows.push(['RAW commit, synchronous=FULL', `${rawFull.msPerCommit} ms/commit`, '', '']);
if (rawNormal) rows.push(['RAW commit, synchronous=NORMAL', `${rawNormal.msPerCommit} ms/commit`, '', '']);
if (w1) {
  rows.push(['W1 200 sequential steps', `${w1.msPerStep} ms/step`, '', '']);
  rows.push(['W1 / RAW(FULL), paired per round', `${w1.pairedRatio}x`, `<= ${TARGETS.w1Ratio}x`, met(w1.pairedRatio <= TARGETS.w1Ratio)]);
  rows.push(['W1 / RAW(FULL) 2000-commit median', `${w1Ratio}x`, `<= ${TARGETS.w1Ratio}x`, met((w1Ratio ?? Infinity) <= TARGETS.w1Ratio)]);
  rows.push(['  RAW in W1 rounds / STEP-SQL (diag.)', `${w1.rawMsPerCommit} / ${w1.stepSqlMsPerStep} ms`, '', '']);
  rows.push(['  store txns per step (durable)', `${w1.perStep.commits} (${w1.perStep.durableCommits}), ${w1.perStep.ops} ops`, '', '']);
  rows.push(['  per step: in commit / rest', `${w1.perStep.commitMs} / ${w1.perStep.otherMs} ms`, '', '']);
  rows.push(['  NORMAL: W1 / STEP-SQL / RAW (diag.)', `${w1.normalMsPerStep} / ${w1.stepSqlNormalMsPerStep} / ${w1.rawNormalMsPerCommit} ms`, '', '']);
  rows.push(['  engine only, step writes no-op (diag.)', `${w1.engineOnlyMsPerStep} ms/step`, '', '']);
}
if (w2) {
  rows.push([
    'W2 500x3, c=16, start+execute',
    `${w2.startExecute.runsPerSec} runs/s`,
    `>= ${TARGETS.w2RunsPerSec}`,
    met(w2.startExecute.runsPerSec >= TARGETS.w2RunsPerSec),
  ]);
  rows.push([
    'W2 execute only (result())',
    `${w2.executeOnly.runsPerSec} runs/s`,
    `>= ${TARGETS.w2RunsPerSec}`,
    met(w2.executeOnly.runsPerSec >= TARGETS.w2RunsPerSec),
  ]);
  rows.push(['W2 execute only (events, diag.)', `${w2.executeOnlyEvents.runsPerSec} runs/s`, '', '']);
}
if (w3) {
  rows.push(['W3 resume -> first new line', `${w3Sec} s`, `<= ${TARGETS.w3ResumeSec} s`, met((w3Sec ?? Infinity) <= TARGETS.w3ResumeSec)]);
  rows.push(['W3 completed steps re-executed', `${w3.plain.completedStepsReExecuted}`, '0', met(w3.plain.completedStepsReExecuted === 0)]);
  rows.push(['W3 in-flight step re-executed', `${w3.plain.inFlightReExecuted}`, '(at-least-once)', '']);
  rows.push([
    'W3 idempotent: resume -> first line',
    `${round(w3.idempotent.resumeToFirstLineMs / 1000, 3)} s`,
    `<= ${TARGETS.w3ResumeSec} s`,
    met(w3.idempotent.resumeToFirstLineMs / 1000 <= TARGETS.w3ResumeSec),
  ]);
  rows.push([
    'W3 idempotent: duplicate effects',
    `${w3.idempotent.duplicateEffects}`,
    '0',
    met(w3.idempotent.duplicateEffects === 0 && w3.idempotent.completedStepsReExecuted === 0),
  ]);
  rows.push(['W3 start-up: node -e 0 / CLI --help', `${w3.startup.nodeBareMs} / ${w3.startup.cliHelpMs} ms`, '', '']);
}

if (w4) {
  rows.push(['W4 bare await', `${w4.bare.nsPerCall} ns/call`, '', '']);
  rows.push(['W4 wrap(retry, timeout)', `${w4.lifeline.nsPerCall} ns/call`, `<= ${TARGETS.w4NsPerCall}`, met(w4.lifeline.nsPerCall <= TARGETS.w4NsPerCall)]);
  rows.push(['  W4 overhead over bare', `${w4.lifelineOverheadNs} ns/call`, '', '']);
  rows.push(['  W4 fn reads ctx.signal (diag.)', `${w4.lifelineWithSignal.nsPerCall} ns/call`, '', '']);
  if (w4.cockatiel) rows.push(['W4 cockatiel wrap(retry, timeout)', `${w4.cockatiel.nsPerCall} ns/call`, '', '']);
  if (w4.pRetry) rows.push(['W4 p-retry (retry only)', `${w4.pRetry.nsPerCall} ns/call`, '', '']);
  for (const s of w4.skipped) rows.push([`W4 skipped`, s, '', '']);
}
if (loop) {
  rows.push(['LOOP guard check, ~1 KB value', `${loop.msPerCheck} ms/check`, `< ${TARGETS.loopMsPerCheck} ms`, met(loop.msPerCheck < TARGETS.loopMsPerCheck)]);
  rows.push(['  LOOP CPU time per check (diag.)', `${loop.cpuMsPerCheck} ms/check`, '', '']);
  rows.push(['  LOOP ~10 KB value (diag.)', `${loop.msPerCheckLarge} ms/check`, '', '']);
}
if (insightResult) rows.push(...insightRows(insightResult));
if (pg) rows.push(...pg.rows);

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0), 6));
const line = (r: string[]) => r.map((v, c) => v.padEnd(widths[c] ?? 0)).join(' | ');
process.stdout.write(`${line(['workload', 'result', 'target', 'status'])}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
for (const r of rows) process.stdout.write(`${line(r)}\n`);

const dir = join(ROOT, 'bench', 'results');
if (pg && (only.size === 0 || onlyPg)) {
  const pgNoise = Object.fromEntries(Object.entries(noise).filter(([k]) => (PG_WORKLOADS as readonly string[]).includes(k)));
  const out = { date: new Date().toISOString(), machine, source, noise: pgNoise, ...pg.result };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pg-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${join(dir, 'pg-latest.json')}`);
}
if (only.size === 0) {
  const out = {
    date: new Date().toISOString(),
    machine,
    source,
    settings: { journalMode: 'WAL', synchronous: 'FULL', w2Concurrency: 16 },
    targets: TARGETS,
    noise,
    raw: { full: rawFull, normal: rawNormal },
    w1: w1 ? { ...w1, ratioToRaw2000: w1Ratio } : undefined,
    w2,
    w3,
    w4,
    loop,
    insight: insightResult,
    postgres: pg?.result,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${join(dir, 'latest.json')}`);
}
