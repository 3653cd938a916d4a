// `lifeline insight patterns|health` (built CLI, real SQLite file holding a generated history):
// tables for people, JSON for machines, with the figures computed from the generated rows.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthRow, Pattern } from '../../src/insight/types.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { generateInsightHistory, historyFingerprint } from '../../src/testing/insight-history.js';
import { tempDir } from '../helpers.js';
import { expectedHealth, expectedPatterns, HOUR } from '../insight/expected.js';
import { loadHistorySqlite } from '../insight/load-history.js';
import { requireBuild, runCli } from './kit.js';

// The CLI reads the system clock: the history ends now and spans 20 hours, so the default 24-hour
// window holds all of it however long the test takes to get there.
const NOW = Date.now();
const HISTORY = generateInsightHistory({ seed: 11, attempts: 3_000, now: NOW, spanMs: 20 * HOUR });
let tmp: ReturnType<typeof tempDir>;
let db: string;

const lifeline = (args: string[], location = db) => runCli(location, args);

beforeAll(async () => {
  requireBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'insight.db');
  await (await openSqliteStore(db)).close();
  loadHistorySqlite(db, HISTORY.runs);
});
afterAll(() => tmp?.cleanup());

describe('lifeline insight', () => {
  it('patterns --json: every fingerprint with its count and runs; the new one is new', () => {
    const r = lifeline(['insight', 'patterns', '--json', '--limit', '100']);
    expect(r.code, r.err).toBe(0);
    const patterns = JSON.parse(r.out) as Pattern[];
    const expected = expectedPatterns(HISTORY.attempts, NOW - 24 * HOUR, NOW);
    expect(patterns.map((p) => [p.fingerprint, p.count, p.runs])).toEqual(expected.map((p) => [p.fingerprint, p.count, p.runs]));
    expect(patterns.find((p) => p.fingerprint === historyFingerprint('schema-mismatch', 'lookup'))?.trend).toBe('new');
  });

  it('patterns: a table with the top pattern first', () => {
    const r = lifeline(['insight', 'patterns', '--workflow', 'research']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]!.split(/ {2,}/)).toEqual([
      'FINGERPRINT',
      'COUNT',
      'RUNS',
      'TREND',
      'LAST 1H / PREV PER H',
      'CLASS',
      'WHERE',
      'MODELS',
      'SEEN (UTC)',
      'EXAMPLE',
    ]);
    const top = expectedPatterns(HISTORY.attempts, NOW - 24 * HOUR, NOW, 'research')[0]!;
    expect(lines[1]!.split(/ {2,}/).slice(0, 3)).toEqual([top.fingerprint, String(top.count), String(top.runs)]);
    expect(lines.length - 1).toBe(expectedPatterns(HISTORY.attempts, NOW - 24 * HOUR, NOW, 'research').length);
  });

  it('health --json and the table: figures per subject, and each flagged row with its evidence and next action', () => {
    const json = lifeline(['insight', 'health', '--json']);
    expect(json.code, json.err).toBe(0);
    const rows = JSON.parse(json.out) as HealthRow[];
    const expected = expectedHealth(HISTORY.attempts, NOW - 24 * HOUR, NOW);
    const figures = (r: { subject: string; name: string; attempts: number; successes: number; verdict: string }) =>
      `${r.subject} ${r.name} ${r.attempts} ${r.successes} ${r.verdict}`;
    expect(rows.map(figures).sort()).toEqual(expected.map(figures).sort());
    const table = lifeline(['insight', 'health']);
    expect(table.code, table.err).toBe(0);
    expect(table.out.split('\n')[0]!.split(/ {2,}/)).toEqual([
      'SUBJECT',
      'NAME',
      'VERDICT',
      'ATTEMPTS',
      'SUCCESS',
      'FIRST TRY',
      'RETRIES/OK',
      'P50',
      'P95',
      'P99',
      'FAILED COST',
    ]);
    const flagged = rows.filter((r) => r.verdict === 'degraded' || r.verdict === 'failing');
    expect(flagged.length).toBeGreaterThan(0);
    for (const r of flagged) {
      expect(table.out).toContain(
        `\n${r.verdict.toUpperCase()} ${r.subject} ${r.name}\n${r.evidence.map((e) => `  - ${e}\n`).join('')}  next: ${r.nextAction}\n`,
      );
    }
  });

  it('bad thresholds and a missing database are usage and database errors with their reason', () => {
    const bad = lifeline(['insight', 'health', '--thresholds', '{"degradedFailureRate":2}']);
    expect([bad.code, bad.err]).toEqual([2, 'lifeline: Invalid option health.thresholds.degradedFailureRate: must be a number from 0 to 1 (got 2)\n']);
    const missing = join(tmp.dir, 'nope.db');
    const none = lifeline(['insight', 'patterns'], missing);
    expect([none.code, none.err]).toEqual([5, `lifeline: no database at ${missing} (insight never creates one; check --db or LIFELINE_DB)\n`]);
  });
});
