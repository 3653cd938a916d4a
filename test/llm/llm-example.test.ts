// The runnable example of docs/llm.md, "Model calls with fallback": the page shows its exact code
// and output, and it runs (against the local server it starts itself).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';

const root = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(root, 'docs/llm.md'), 'utf8');

beforeAll(() => assertFreshBuild());

describe('docs/llm.md model fallback example', () => {
  it('the page shows examples/llm/model-fallback.ts as it is', () => {
    const source = readFileSync(join(root, 'examples/llm/model-fallback.ts'), 'utf8')
      .replace("'../../src/index.js'", "'lifeline-workflows'")
      .replace("'../../src/exports/openai.js'", "'lifeline-workflows/openai'");
    expect(doc).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it('runs: gpt-4o is rate limited once, gpt-4o-mini answers, the ledger has both; the page shows this output', () => {
    const r = spawnSync(process.execPath, [join(root, 'build/examples/llm/model-fallback.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const expected = [
      'gpt-4o-mini: Revenue rose 4%.',
      'attempt 1 gpt-4o failed (rate_limit: 429 Rate limit reached for gpt-4o, moved to gpt-4o-mini)',
      'attempt 2 gpt-4o-mini succeeded',
      'ledger gpt-4o released 0+0 tokens $0',
      'ledger gpt-4o-mini committed 40+6 tokens $0.00001',
      '',
    ].join('\n');
    expect(r.stdout).toBe(expected);
    expect(doc).toContain(`\`\`\`\n${expected}\`\`\``);
  });
});
