// Issue 8 §3 on SQLite: three worker processes share one circuit breaker in one database file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runSharedBreakerScenario } from './breaker-scenario.js';

describe('shared circuit breaker across processes (SQLite)', () => {
  it('opens after N failures in total across three processes, then grants exactly the half-open probes across them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-brk-db-'));
    try {
      await runSharedBreakerScenario(join(dir, 'breakers.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
