// `lifeline insight coverage` and `lifeline insight refingerprint` (built CLI, real SQLite file).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { T0, commitArgs, createClaimed, tokenOf } from '../../src/testing/store-conformance/helpers.js';
import { tempDir } from '../helpers.js';
import { requireBuild, cliOn } from './kit.js';

let tmp: ReturnType<typeof tempDir>;
let db: string;
// The conformance helpers' times: steps completed then, read with a window reaching back to them.
const SINCE = `${Date.now() - T0 + 60_000}ms`;

const lifeline = cliOn(() => db);

beforeAll(async () => {
  requireBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'insight.db');
  const store = await openSqliteStore(db);
  // fetch: timeout + retries twice; pay: a side effect, once with its key read, once without.
  for (const [i, [step, ranWith]] of (
    [
      ['fetch#0', 3],
      ['fetch#0', 3],
      ['pay#0', 4 | 8],
      ['pay#0', 4],
    ] as const
  ).entries()) {
    const run = await createClaimed(store, `r${i}`);
    const failed = { outcome: 'failed' as const, errorClass: 'transient' as const, errorMessage: `reset ${i}` };
    await store.endAttempt({ runId: run.id, token: tokenOf(run), stepId: step, attempt: 1, endedAt: T0 + 1, ...failed });
    await store.commitStep(commitArgs(run, step, { ranWith, attempts: 2 }));
  }
  await store.close();
  writeFileSync(join(tmp.dir, 'rules.mjs'), 'export const fingerprintRules = [{ match: { message: /reset/ }, group: "resets" }];\n');
  writeFileSync(join(tmp.dir, 'bad-rules.mjs'), 'export const fingerprintRules = [{ match: {}, group: "x" }];\n');
});
afterAll(() => tmp?.cleanup());

describe('lifeline insight coverage', () => {
  it('prints the score with each part, and what is missing where', () => {
    const r = lifeline(['insight', 'coverage', '--since', SINCE, '--slo', 'other-wf']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n').map((l) => l.replace(/ +/g, ' ').trimEnd())).toEqual([
      'coverage score: 25 / 100 (the mean of the parts below)',
      ' timeouts 50 % 1 of 2 steps whose every run had a timeout',
      ' retries 50 % 1 of 2 steps whose every run had a retry policy (more than one attempt)',
      ' slos 0 % 0 of 1 workflows with an SLO',
      ' idempotency 0 % 0 of 1 side-effect steps that always read their idempotency key',
      '',
      'steps without a timeout:',
      ' WORKFLOW STEP RUNS WITHOUT',
      ' conformance-wf pay 2 of 2',
      '',
      'steps without a retry policy:',
      ' WORKFLOW STEP RUNS WITHOUT',
      ' conformance-wf pay 2 of 2',
      '',
      'side effects that did not read info.idempotencyKey:',
      ' WORKFLOW STEP RUNS WITHOUT KEY',
      ' conformance-wf pay 1 of 2',
      '',
      'workflows without an SLO: conformance-wf',
      '',
    ]);
  });

  it('prints JSON with the parts as numerator and denominator', () => {
    const r = lifeline(['insight', 'coverage', '--since', SINCE, '--json', '--workflow', 'conformance-wf']);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { score: number; parts: Array<{ name: string; covered: number; total: number }> };
    expect(report.score).toBe(25);
    expect(report.parts.map((p) => [p.name, p.covered, p.total])).toEqual([
      ['timeouts', 1, 2],
      ['retries', 1, 2],
      ['slos', 0, 1],
      ['idempotency', 0, 1],
    ]);
  });
  it('counts the workflows of an SLO file as having an SLO; a bad SLO file is a usage error', () => {
    const file = join(tmp.dir, 'slos.json');
    writeFileSync(file, JSON.stringify({ slos: [{ workflow: 'conformance-wf', success: 0.99 }] }));
    const r = lifeline(['insight', 'coverage', '--since', SINCE, '--json', '--slo-file', file]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { workflowsWithoutSlo: string[]; parts: Array<{ name: string; covered: number; total: number }> };
    expect(report.workflowsWithoutSlo).toEqual([]);
    expect(report.parts.find((p) => p.name === 'slos')).toMatchObject({ covered: 1, total: 1 });
    writeFileSync(file, '{ "slo": [] }');
    expect(lifeline(['insight', 'coverage', '--slo-file', file])).toMatchObject({
      code: 2,
      err: `lifeline: Invalid SLO file ${file}: slos: must be an array of SLOs (got undefined)\n`,
    });
  });
});

describe('lifeline insight refingerprint', () => {
  it('counts without writing on --dry-run, regroups with --rules, and then finds nothing to change', () => {
    const rules = join(tmp.dir, 'rules.mjs');
    const json = (args: string[]) => {
      const r = lifeline(['insight', 'refingerprint', '--json', ...args]);
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as Record<string, unknown>;
    };
    // Rows written by the store alone have no fingerprint yet: every one changes.
    expect(json(['--dry-run'])).toEqual({ scanned: 4, changed: 4, olderVersion: 4, version: 1, dryRun: true });
    expect(json(['--rules', rules, '--batch', '3'])).toEqual({ scanned: 4, changed: 4, olderVersion: 4, version: 1, dryRun: false });
    expect(json(['--rules', rules, '--dry-run'])).toEqual({ scanned: 4, changed: 0, olderVersion: 0, version: 1, dryRun: true });
    const r = lifeline(['insight', 'refingerprint']);
    expect(r.out).toBe('fingerprint version 1: 4 failed attempts read, changed 4 (0 from an older version)\n');
  });

  it('refuses rules that do not check out, and a bad batch size', () => {
    const bad = join(tmp.dir, 'bad-rules.mjs');
    const r = lifeline(['insight', 'refingerprint', '--rules', bad]);
    expect([r.code, r.err.trim()]).toEqual([
      2,
      `lifeline: --rules ${bad}: Invalid option fingerprintRules[0].match: must name at least one of errorClass, message, step`,
    ]);
    const b = lifeline(['insight', 'refingerprint', '--batch', '0']);
    expect([b.code, b.err.trim()]).toEqual([2, 'lifeline: --batch must be an integer from 1 to 100000 (got 0)']);
  });
});
