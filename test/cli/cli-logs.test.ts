// `--log json|pretty` and `--log-file` of the compiled CLI: `run` writes the structured lines to a
// file while its progress stays on stdout, `--log pretty` prints readable log lines instead of
// the progress, `retry FILE` takes the flags too, and a bad format is a usage error.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliFiles, fixturePath, cliOn } from './kit.js';

const fixture = fixturePath('cli-workflows');
const files = useCliFiles('logs.db');

const lifeline = cliOn(() => files.db);

describe('lifeline --log / --log-file', () => {
  it('run --log-file appends JSON lines (start, step start and completion with duration and size) while the progress stays on stdout', () => {
    const file = join(files.dir, 'run.log');
    const run = lifeline(['run', fixture, '-w', 'cli.greet', '--input', '{"name":"ada"}', '--run-id', 'L1', '--log-file', file]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('✓ hello#0 executed (attempt 1)');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['event'])).toEqual(['run.created', 'run.claimed', 'step.started', 'step.completed', 'run.completed']);
    expect(lines[3]).toMatchObject({ runId: 'L1', stepId: 'hello#0', attempt: 1, outputBytes: Buffer.byteLength('"hello ada"'), service: 'lifeline' });
    expect(typeof lines[3]?.['durationMs']).toBe('number');
  });

  it('--log pretty prints readable log lines instead of the progress lines; retry FILE takes the flags', () => {
    const fix = join(files.dir, 'fixed');
    const failed = lifeline(['run', fixture, '-w', 'cli.fragile', '--run-id', 'L2', '--log', 'pretty']);
    expect(failed.code).toBe(1);
    expect(failed.out).not.toContain('✓ first#0 executed');
    expect(failed.out).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}step first#0 completed in \d+\.\d ms \(1 B\)$/m);
    expect(failed.out).toMatch(/^\S+ WARN {2}step second#0 failed \[configuration\] after 1 attempt\(s\): API key for the data service is missing$/m);
    expect(failed.out).toMatch(/^\S+ ERROR run L2 failed \[configuration\]/m);
    writeFileSync(fix, '');
    const file = join(files.dir, 'retry.log');
    const retried = lifeline(['retry', 'L2', fixture, '--log', 'json', '--log-file', file], { CLI_FIX_FILE: fix });
    expect(retried.code, retried.err).toBe(0);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toEqual(['run.claimed', 'step.replayed', 'step.started', 'step.completed', 'run.completed']);
  });

  it('a bad --log is a usage error naming the formats', () => {
    const bad = lifeline(['run', fixture, '-w', 'cli.greet', '--input', '{"name":"x"}', '--log', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--log must be "text", "json" or "pretty" (got "xml")');
  });
});
