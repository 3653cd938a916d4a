// `npm run example:research-agent` runs build/examples/agent/research-agent.js: against its own
// local OpenAI-compatible server it must show the fallback past the 429, the cost cap refusing a
// call before it is made, the gate letting one note through and stopping the uncited one, and
// the ledger's totals.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { ROOT } from '../crash/harness.js';

beforeAll(() => assertFreshBuild());

it('the research agent example: fallback, cost cap, JSON answer, strict gate before publishing', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'build/examples/agent/research-agent.js')], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = r.stdout;
  expect(out).toMatch(/^Local OpenAI-compatible server on http:\/\/127\.0\.0\.1:\d+\/v1 /);
  expect(out.match(/fallback {3}local-large → local-small \(rate_limit: 429 Rate limit reached for local-large, moved to local-small\)/g)).toHaveLength(2);
  expect(out).toContain('answer     by local-small: "Note: How did battery prices change this year?" with 2 source(s)');
  expect(out).toContain('deep dive  refused by the cost cap: Cost cap budget.perRunUsd ($0.02) would be exceeded by a call to local-small:');
  expect(out).toContain('gate       publish passed (2/2 checks)');
  expect(out).toContain('stopped    [validation] Quality gate "publish" failed: 1 check(s) did not pass: has-sources (0 source(s)).');
  expect(out).toMatch(/run 1 {2}local-large: no answer, nothing spent \(1 reservation\(s\) released\)/);
  expect(out).toMatch(/run 1 {2}local-small: 1 call\(s\), \d+ in \/ \d+ out tokens, \$0\.000\d+/);
  expect(out).toContain('Outbox: 1 of 2 notes published. Server saw: local-large 429, local-small 200, local-large 429, local-small 200.');
});
