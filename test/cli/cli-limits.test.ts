// `lifeline limits` on a database whose keys were used by workers (here: through the store).
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { useCliFiles, fixturePath, cliOn } from './kit.js';

const files = useCliFiles('limits.db');

const lifeline = cliOn(() => files.db);

describe('lifeline limits', () => {
  it('says so when no key was used, then lists keys with in use / limit, what is left and the throttles', async () => {
    const store = await openSqliteStore(files.db);
    await store.close();
    expect(lifeline(['limits'])).toMatchObject({ code: 0, out: 'no limit keys used yet\n' });

    const open = await openSqliteStore(files.db);
    const now = Date.now();
    const openai = { key: 'openai', concurrency: 4, calls: 5, tokens: 100_000, intervalMs: 60_000 };
    const customer = { key: 'customer-42', concurrency: 1, intervalMs: 60_000, retryBudget: { ratio: 0.1, minRetries: 10 } };
    const args = { now, leaseMs: 3_600_000, estimatedTokens: 50_000, retry: false };
    expect((await open.acquireLimits({ ...args, holder: 'a', limits: [openai, customer] })).granted).toBe(true);
    expect((await open.acquireLimits({ ...args, holder: 'b', limits: [openai, customer] })).granted).toBe(false);
    await open.close();

    const table = lifeline(['limits']);
    expect(table.code, table.err).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY +IN USE +CALLS LEFT +TOKENS LEFT +THROTTLED +RETRIES \/ SUCCESSES +RETRIES REFUSED$/);
    expect(lines[1]?.split(/ {2,}/)).toEqual(['customer-42', '1/1', '-', '-', '1', '0/0', '0']);
    // Buckets refill while the test runs: one call per 12 s, 100000 tokens per minute.
    const [key, inUse, calls, tokens, ...rest] = lines[2]?.split(/ {2,}/) ?? [];
    expect([key, inUse, calls, rest]).toEqual(['openai', '1/4', '4/5', ['0', '0/0', '0']]);
    expect(tokens).toMatch(/^5\d{4}\/100000$/);

    const json = lifeline(['limits', '--json']);
    expect(json.code, json.err).toBe(0);
    const keys = JSON.parse(json.out) as Array<Record<string, unknown>>;
    expect(keys.map((k) => k.key)).toEqual(['customer-42', 'openai']);
    expect(keys[1]).toMatchObject({ key: 'openai', concurrency: 4, inUse: 1, calls: { capacity: 5, left: 4 }, tokens: { capacity: 100_000 }, throttled: 0 });
  });

  it('run and worker use the limits a workflow file exports', () => {
    const fixture = fixturePath('cli-limits-workflow');
    const run = lifeline(['run', fixture, '-q']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe('"hello"\n');
    const keys = JSON.parse(lifeline(['limits', '--json']).out) as Array<{ key: string; concurrency: number | null; calls: { capacity: number } | null }>;
    expect(keys.find((k) => k.key === 'customer-7')).toMatchObject({ concurrency: 2, calls: { capacity: 100 } });
  });
});
