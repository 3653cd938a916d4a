// `npm start`: the demo names the step the kill cut short, prints an aligned attempts table, and
// the interrupted attempt ends when its process was last known alive, not when process 2 noticed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const demo = join(root, 'build/examples/demo/run-demo.js');

describe('the demo', () => {
  it('names the killed step, aligns the attempts table, ends the interrupted attempt before the kill', async () => {
    if (!existsSync(demo)) throw new Error('The demo test needs the build: run `npm run build` first (npm test does).');
    const child = spawn(process.execPath, [demo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killSeenAt = Infinity;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (killSeenAt === Infinity && out.includes('💥 SIGKILL')) killSeenAt = Date.now();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(out).toMatch(/process 1 ended by SIGKILL in the middle of step data#0 \(attempt 1\)\n/);

    const section = out.slice(out.indexOf('3) Every attempt')).split('\n').slice(1);
    const table = section.slice(0, section.indexOf('')).filter((l) => !l.startsWith('  ('));
    const header = table[0]!;
    const rows = table.slice(1);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const outcome = /\b(succeeded|failed|interrupted)\b/.exec(row)!;
      expect(outcome.index, row).toBe(header.indexOf('OUTCOME'));
      expect(row.indexOf(' ms'), row).toBeLessThan(header.indexOf('WORKER'));
    }

    const [, db, runId] = /Inspect it: npx lifeline --db (\S+) show (\S+)/.exec(out)!;
    const check = new Database(db!, { readonly: true });
    const interrupted = check
      .prepare("SELECT started_at, ended_at, duration_ms FROM attempts WHERE run_id = ? AND outcome = 'interrupted'")
      .all(runId) as Array<{ started_at: number; ended_at: number; duration_ms: number }>;
    check.close();
    expect(interrupted).toHaveLength(1);
    // the test saw the kill after it happened; the old end time (process 2's takeover) came later
    expect(interrupted[0]!.ended_at).toBeLessThanOrEqual(killSeenAt);
    expect(interrupted[0]!.duration_ms).toBe(interrupted[0]!.ended_at - interrupted[0]!.started_at);
  });
});
