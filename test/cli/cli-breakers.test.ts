// `lifeline breakers` (built CLI, real SQLite file): keys with state, failure rate, opened until.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakerConfig } from '../../src/breakers/config.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers.js';
import { requireBuild, cliOn } from './kit.js';

let tmp: ReturnType<typeof tempDir>;
let db: string;
const NOW = Date.now();
const OPEN_UNTIL = NOW + 3_600_000;

const lifeline = cliOn(() => db);

beforeAll(async () => {
  requireBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'breakers.db');
  const store = await openSqliteStore(db);
  const config = breakerConfig({ windowSize: 10, minimumCalls: 4, coolDownMs: 3_600_000 }, 'test');
  const fail = { outcome: { kind: 'failure' as const, durationMs: 1 } };
  const ok = { outcome: { kind: 'success' as const, durationMs: 1 } };
  await store.updateBreaker({ key: 'openai:gpt-4o', config, now: NOW, outcomes: [ok, fail, fail, fail] });
  await store.updateBreaker({ key: 'anthropic:claude', config, now: NOW, outcomes: [ok, ok, fail] });
  await store.close();
});
afterAll(() => tmp?.cleanup());

describe('lifeline breakers', () => {
  it('lists each key with its state, failure rate and until when it is open', () => {
    const r = lifeline(['breakers']);
    expect(r.code, r.err).toBe(0);
    const until = new Date(OPEN_UNTIL).toISOString();
    expect(r.out.split('\n').map((l) => l.replace(/ +/g, ' ').trimEnd())).toEqual(
      [
        'KEY STATE FAILURES SLOW OPEN UNTIL PROBES REASON',
        'anthropic:claude closed 33.33 % of 3 - - - ',
        `openai:gpt-4o open 0 % of 0 - ${until} - 3 of 4 calls failed (75 % >= 50 %)`,
        '',
      ].map((l) => l.trimEnd()),
    );
  });

  it('--json prints the same as data', () => {
    const r = lifeline(['breakers', '--json']);
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(rows.map((b) => [b.key, b.state, b.calls, b.failures, b.failureRate, b.openUntil])).toEqual([
      ['anthropic:claude', 'closed', 3, 1, 33.33, null],
      ['openai:gpt-4o', 'open', 0, 0, 0, OPEN_UNTIL],
    ]);
  });
});
