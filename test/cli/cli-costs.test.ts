// `lifeline costs`: totals from the cost ledger by run, workflow, model or day, filters, --json.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers.js';
import { requireBuild, cliOn } from './kit.js';

let tmp: ReturnType<typeof tempDir>;
let db: string;
const NOW = Date.now();
const DAY = 86_400_000;

const lifeline = cliOn(() => db);

beforeAll(async () => {
  requireBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'costs.db');
  const store = await openSqliteStore(db);
  const call = { stepId: 's#0', attempt: 1, provider: 'openai', cachedInputTokens: 0 };
  await store.createRun({ id: 'run-a', workflow: 'research', input: '{}', now: NOW - 3 * DAY });
  await store.createRun({ id: 'run-b', workflow: 'research', input: '{}', now: NOW });
  await store.createRun({ id: 'run-c', workflow: 'summarise', input: '{}', now: NOW });
  await store.recordCost({
    ...call,
    runId: 'run-a',
    workflow: 'research',
    model: 'gpt-4o',
    now: NOW - 3 * DAY,
    inputTokens: 1000,
    outputTokens: 100,
    costMicros: 3500,
  });
  await store.recordCost({
    ...call,
    runId: 'run-b',
    workflow: 'research',
    model: 'gpt-4o',
    now: NOW,
    inputTokens: 2000,
    cachedInputTokens: 1000,
    outputTokens: 10,
    costMicros: 3850,
  });
  await store.recordCost({
    ...call,
    runId: 'run-b',
    workflow: 'research',
    model: 'gpt-4o-mini',
    now: NOW,
    inputTokens: 100,
    outputTokens: 100,
    costMicros: 75,
  });
  await store.recordCost({ ...call, runId: 'run-c', workflow: 'summarise', model: 'gpt-4o-mini', now: NOW, inputTokens: 10, outputTokens: 10, costMicros: 8 });
  const held = await store.reserveCost({
    ...call,
    stepId: 's#1',
    runId: 'run-c',
    workflow: 'summarise',
    model: 'gpt-4o',
    now: NOW,
    micros: 2_000_000,
    expiresAt: NOW + DAY,
    runCapMicros: null,
    workflowDayCapMicros: null,
  });
  expect(held.ok).toBe(true);
  await store.close();
});
afterAll(() => tmp.cleanup());

describe('lifeline costs', () => {
  it('by run (the default): committed calls, tokens, cost, and what is still reserved', () => {
    const r = lifeline(['costs']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'RUN    CALLS  INPUT  CACHED  OUTPUT  COST       RESERVED',
        'run-a  1      1000   0       100     $0.003500',
        'run-b  2      2100   1000    110     $0.003925',
        'run-c  1      10     0       10      $0.000008  $2.000000',
        'total  4      3110   1000    220     $0.007433  $2.000000',
        '',
      ].join('\n'),
    );
  });

  it('by model and by workflow, filtered by --since and --workflow', () => {
    expect(lifeline(['costs', '--by', 'model', '--since', '24h']).out).toBe(
      [
        'MODEL               CALLS  INPUT  CACHED  OUTPUT  COST       RESERVED',
        'openai/gpt-4o       1      2000   1000    10      $0.003850  $2.000000',
        'openai/gpt-4o-mini  2      110    0       110     $0.000083',
        'total               3      2110   1000    120     $0.003933  $2.000000',
        '',
      ].join('\n'),
    );
    expect(lifeline(['costs', '--by', 'workflow', '--workflow', 'research']).out).toContain('research  3      3100   1000    210     $0.007425\n');
  });

  it('--json for one run; bad --by and --since are usage errors', () => {
    const r = lifeline(['costs', '--run', 'run-b', '--by', 'model', '--json']);
    const body = JSON.parse(r.out) as {
      by: string;
      groups: Array<{ key: string; costMicros: number; costUsd: number }>;
      total: { costMicros: number; calls: number };
    };
    expect(body.by).toBe('model');
    expect(body.groups.map((g) => [g.key, g.costMicros, g.costUsd])).toEqual([
      ['openai/gpt-4o', 3850, 0.00385],
      ['openai/gpt-4o-mini', 75, 0.000075],
    ]);
    expect(body.total).toMatchObject({ calls: 2, costMicros: 3925 });
    expect(lifeline(['costs', '--by', 'provider'])).toMatchObject({ code: 2, err: 'lifeline: Unknown --by "provider" (known: run, workflow, model, day)\n' });
    expect(lifeline(['costs', '--since', 'last week'])).toMatchObject({
      code: 2,
      err: 'lifeline: Invalid --since "last week": use a date (2026-11-30), a time (2026-11-30T08:00Z) or a span back from now (30m, 24h, 7d)\n',
    });
  });
});
