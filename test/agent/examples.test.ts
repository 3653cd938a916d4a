// The runnable examples of docs/agent-toolkit.md: the page shows their exact code, and they run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';

const root = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(root, 'docs/agent-toolkit.md'), 'utf8');

beforeAll(() => assertFreshBuild());

function run(name: string): string {
  const r = spawnSync(process.execPath, [join(root, `build/examples/agent-toolkit/${name}.js`)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('docs/agent-toolkit.md examples', () => {
  it.each(['loop', 'degradation', 'dag'])('the page shows examples/agent-toolkit/%s.ts as it is', (name) => {
    const source = readFileSync(join(root, `examples/agent-toolkit/${name}.ts`), 'utf8').replace("'../../src/index.js'", "'lifeline-workflows'");
    expect(doc).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it('loop: the in-memory guard escalates hint then fallback; the recorded one waits for the human answer', () => {
    expect(run('loop')).toBe('ok -\nrepeat hint\nok -\nok -\nalternation fallback\ncite the source\n');
  });

  it('degradation: a failed step makes the report BASIC with the missing section named', () => {
    expect(run('degradation')).toBe(
      'BASIC summary,outlook margins: input "costs" is missing: [validation] Step "costs#0" failed with validation error after 1 attempt: ledger export refused\n',
    );
  });

  it('dag: the failed node is reported and its dependent skipped', () => {
    expect(run('dag')).toBe(
      '{"web":["page 1","page 2"],"summary":"2 pages read"}\npapers | needs "papers", which failed: [validation] Step "dag:papers#0" failed with validation error after 1 attempt: the index is down\n',
    );
  });
});
