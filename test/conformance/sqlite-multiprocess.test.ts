// Several real processes on ONE SQLite file: the write lock is contended for real, so this is
// where an unhandled SQLITE_BUSY or a run claimed twice would show up.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { makeTempDir } from './sqlite-temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HAMMER = join(ROOT, 'build/test/fixtures/store-hammer.js');
// The compiled fixture (npm test builds it first): a worker started through tsx spends about a
// second of CPU compiling before it runs, for every process the test starts.
beforeAll(() => assertFreshBuild());
const WORKERS = 3;
const RUNS_PER_WORKER = 150;
const STEPS = 3;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the workers, says go once all have opened the file, and collects their outcomes. */
function runHammers(dbPath: string): Promise<Outcome[]> {
  let ready = 0;
  const children = Array.from({ length: WORKERS }, (_, i) =>
    spawn(process.execPath, [HAMMER, dbPath, `w${i}`, String(RUNS_PER_WORKER), String(STEPS)], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  return Promise.all(
    children.map(
      (child) =>
        new Promise<Outcome>((resolve, reject) => {
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => {
            const before = stdout;
            stdout += d.toString();
            if (!before.includes('ready\n') && stdout.includes('ready\n') && ++ready === WORKERS) {
              for (const c of children) c.stdin.end('go\n');
            }
          });
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        }),
    ),
  );
}

describe('SQLite store shared by several processes', () => {
  let remove: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await remove?.();
  });

  it('every run completes exactly once and no step is written twice', { timeout: 20_000 }, async () => {
    const tmp = await makeTempDir();
    remove = tmp.remove;
    const dbPath = join(tmp.dir, 'shared.db');
    // The processes also race to create and migrate the fresh file.
    const results = await runHammers(dbPath);
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });

    const db = new Database(dbPath, { readonly: true });
    try {
      const total = WORKERS * RUNS_PER_WORKER;
      const statuses = db.prepare('SELECT status, COUNT(*) AS n FROM runs GROUP BY status').all();
      expect(statuses).toEqual([{ status: 'completed', n: total }]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM runs WHERE claim_count <> 1').get()).toEqual({ n: 0 });
      const finishes = db.prepare(`SELECT run_id, COUNT(*) AS n FROM events WHERE type = 'run.completed' GROUP BY run_id HAVING n <> 1`).all();
      expect(finishes).toEqual([]);
      expect(db.prepare(`SELECT COUNT(*) AS n FROM events WHERE type = 'run.completed'`).get()).toEqual({ n: total });
      expect(db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT run_id || step_id) AS d FROM step_results').get()).toEqual({
        n: total * STEPS,
        d: total * STEPS,
      });
      expect(db.prepare(`SELECT outcome, COUNT(*) AS n FROM attempts GROUP BY outcome`).all()).toEqual([{ outcome: 'succeeded', n: total * STEPS }]);
      const finished = results.reduce((sum, r) => sum + (JSON.parse(r.stdout.replace('ready\n', '')) as { finished: number }).finished, 0);
      expect(finished).toBe(total);
    } finally {
      db.close();
    }
  });
});
