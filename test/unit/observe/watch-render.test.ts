// The TTY path of `lifeline watch`: what is drawn for an injected terminal (width, colour), the
// in-place redraw codes, and the plain painter that prints only what changed.
import { describe, expect, it } from 'vitest';
import { listFrame, PlainPainter, progressBar, runFrame, terminalOf, ttyLine, TtyPainter } from '../../../src/cli/watch-render.js';
import type { RunOverview } from '../../../src/observe/run-overview.js';
import type { AttemptRecord, RunRecord, StepRecord } from '../../../src/store/types.js';

const T = Date.UTC(2026, 10, 30, 12, 0, 0);
const run: RunRecord = {
  id: 'r1',
  workflow: 'etl',
  status: 'running',
  input: '{}',
  output: null,
  error: null,
  parentRunId: null,
  createdAt: T,
  updatedAt: T,
  wakeAt: null,
  lease: null,
  cancelRequested: false,
  claimCount: 1,
  claimsWithoutProgress: 1,
  version: null,
};
const overview: RunOverview = {
  run,
  activity: { state: 'retrying', reason: 'step fetch#0 attempt 3 failed (rate_limit), retry at 12:03:10', stepId: 'fetch#0', retryAt: T + 190_000 },
  progress: { done: 2, expected: 8, percent: 25, eta: { p50Ms: 720_000, p90Ms: 1_080_000 }, basis: 20, text: '2/8 steps · 25% · ETA 12–18m' },
};
const step = (stepId: string, seq: number): StepRecord => ({
  runId: 'r1',
  stepId,
  name: stepId.split('#')[0] as string,
  seq,
  kind: 'step',
  status: 'completed',
  output: '1',
  error: null,
  attempts: 1,
  startedAt: T + seq * 1000,
  completedAt: T + seq * 1000 + 40,
});
const attempt = (n: number, outcome: AttemptRecord['outcome']): AttemptRecord => ({
  id: n,
  runId: 'r1',
  stepId: 'fetch#0',
  stepName: 'fetch',
  attempt: n,
  startedAt: T + 5000 + n,
  endedAt: outcome === 'running' ? null : T + 5100 + n,
  outcome,
  errorClass: outcome === 'failed' ? 'rate_limit' : null,
  errorMessage: outcome === 'failed' ? 'HTTP 429' : null,
  durationMs: null,
  workerId: 'w',
  alternative: null,
  movedOn: null,
  errorName: null,
  errorKind: null,
  fingerprint: null,
  fingerprintVersion: null,
  host: null,
  costMicros: null,
  tags: null,
});

describe('watch renderer', () => {
  it('draws a run: state, reason, a progress bar sized to the width, steps and failed attempts', () => {
    const frame = runFrame(overview, [step('plan#0', 0), step('load#0', 1)], [attempt(1, 'failed'), attempt(2, 'failed'), attempt(3, 'running')]);
    expect(frame.map((l) => ttyLine(l, { width: 60, color: false }))).toEqual([
      'run r1 (etl): retrying',
      '  step fetch#0 attempt 3 failed (rate_limit), retry at 12:0…',
      '  progress [██░░░░░░░] 2/8 steps · 25% · ETA 12–18m', // 60 - 11 - 40 = 9 cells
      '  ✓ plan#0  completed  1 attempt  40 ms',
      '  ✓ load#0  completed  1 attempt  40 ms',
      '  ▸ fetch#0  running  attempt 3',
      '      ✗ attempt 1 failed [rate_limit] HTTP 429',
      '      ✗ attempt 2 failed [rate_limit] HTTP 429',
    ]);
    // Wider: the bar grows to 20 cells at most; no room for 5 cells: no bar, the line cut.
    const progress = frame[2];
    if (!progress) throw new Error('no progress line');
    expect(ttyLine(progress, { width: 120, color: false })).toBe(`  progress [${'█'.repeat(5)}${'░'.repeat(15)}] 2/8 steps · 25% · ETA 12–18m`);
    expect(ttyLine(progress, { width: 30, color: false })).toBe('  progress 2/8 steps · 25% · …');
  });

  it('colours the state only with colour on, and never beyond the width', () => {
    const [head] = runFrame(overview, [], []);
    if (!head) throw new Error('no head line');
    expect(ttyLine(head, { width: 60, color: true })).toBe('run r1 (etl): \x1b[33mretrying\x1b[39m');
    expect(ttyLine(head, { width: 60, color: false })).toBe('run r1 (etl): retrying');
    expect(ttyLine(head, { width: 18, color: true })).toBe('run r1 (etl): ret…'); // the state is cut: left uncoloured
    const stuck: RunOverview = { ...overview, activity: { ...overview.activity, state: 'stuck', reason: 'claimed 3 times without committing a step' } };
    const [, row] = listFrame([stuck]);
    if (!row) throw new Error('no row');
    expect(ttyLine(row, { width: 100, color: true })).toBe(
      'r1  etl  \x1b[31mstuck\x1b[39m     [█████░░░░░░░░░░░░░░░] 2/8 steps · 25% · ETA 12–18m  claimed 3 times without com…', // 100 columns
    );
  });

  it('knows a TTY from a pipe, and NO_COLOR', () => {
    expect(terminalOf({ isTTY: true, columns: 72 }, {})).toEqual({ width: 72, color: true });
    expect(terminalOf({ isTTY: true, columns: 72 }, { NO_COLOR: '1' })).toEqual({ width: 72, color: false });
    expect(terminalOf({ isTTY: true }, { NO_COLOR: '' })).toEqual({ width: 80, color: true });
    expect(terminalOf({ isTTY: false, columns: 72 }, {})).toBeNull();
    expect(terminalOf({}, {})).toBeNull();
  });

  it('redraws in place on a TTY: cursor up over the last frame, each line cleared, the rest erased', () => {
    const painter = new TtyPainter({ width: 40, color: false });
    const first = painter.paint(listFrame([]));
    expect(first).toBe('\x1b[2Kno live runs\n\x1b[J');
    const second = painter.paint(listFrame([overview, { ...overview, run: { ...run, id: 'r2' } }]));
    expect(second).toBe(
      // 40 columns: no room for a bar, lines cut to the width
      '\x1b[1A\r\x1b[2K2 live runs\n\x1b[2Kr1  etl  retrying  2/8 steps · 25% · ET…\n\x1b[2Kr2  etl  retrying  2/8 steps · 25% · ET…\n\x1b[J',
    );
    expect(painter.paint(listFrame([])).startsWith('\x1b[3A\r\x1b[2Kno live runs\n')).toBe(true);
  });

  it('prints in plain mode only the lines whose text changed, without any escape code', () => {
    const plain = new PlainPainter();
    const a = plain.paint(runFrame(overview, [step('plan#0', 0)], [attempt(1, 'running')]));
    expect(a).toBe(
      'run r1 (etl): retrying\n  step fetch#0 attempt 3 failed (rate_limit), retry at 12:03:10\n  progress 2/8 steps · 25% · ETA 12–18m\n  ✓ plan#0  completed  1 attempt  40 ms\n  ▸ fetch#0  running  attempt 1\n',
    );
    expect(plain.paint(runFrame(overview, [step('plan#0', 0)], [attempt(1, 'running')]))).toBe('');
    const later: RunOverview = { ...overview, progress: { ...overview.progress, text: '3/8 steps · 37% · ETA 9–15m' } };
    expect(plain.paint(runFrame(later, [step('plan#0', 0), step('fetch#0', 1)], [attempt(1, 'succeeded')]))).toBe(
      '  progress 3/8 steps · 37% · ETA 9–15m\n  ✓ fetch#0  completed  1 attempt  40 ms\n',
    );
  });

  it('draws bars for known and unknown percentages', () => {
    expect(progressBar(50, 10)).toBe('[█████░░░░░]');
    expect(progressBar(null, 4)).toBe('[····]');
    expect(progressBar(140, 3)).toBe('[███]');
  });
});
