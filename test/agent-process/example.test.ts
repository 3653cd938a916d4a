// `npm run example:agent-process` runs build/examples/agent/external-agent.js: it must show the
// agent interrupted by SIGINT and the step resumed from its checkpoint in the same session.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { ROOT } from '../crash/harness.js';

beforeAll(() => assertFreshBuild());

it('the external agent example: interrupted, retried, resumed', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'build/examples/agent/external-agent.js')], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/\[attempt 1\] exited: interrupted: exit code 130 \(SIGINT\)/);
  expect(r.stdout).toMatch(/\[attempt 2\] started: pid \d+, resuming session toy-\d+/);
  expect(r.stdout).toContain('"answer": "3 tasks done"');
  expect(r.stdout).toContain('Attempts: 1 failed (interrupted), 2 succeeded');
});
