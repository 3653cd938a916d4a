// The runnable example of docs/time-travel.md, "Rewind": the page shows its exact code, and it runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';

const root = resolve(import.meta.dirname, '../..');

beforeAll(() => assertFreshBuild());

describe('docs/time-travel.md rewind example', () => {
  it('the page shows examples/time-travel/rewind.ts as it is, and it prints what the page says', () => {
    const doc = readFileSync(join(root, 'docs/time-travel.md'), 'utf8');
    const source = readFileSync(join(root, 'examples/time-travel/rewind.ts'), 'utf8').replace("'../../src/index.js'", "'lifeline-workflows'");
    expect(doc).toContain(`\`\`\`ts\n${source}\`\`\``);
    const r = spawnSync(process.execPath, [join(root, 'build/examples/time-travel/rewind.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        'fetch runs',
        'price runs',
        'total: 70',
        'rewound to price#0: 2 results kept as generation 1',
        'price runs',
        'total: 700',
        'generation 1: price#0 = 70',
        'generation 1: publish#0 = "total: 70"',
        '',
      ].join('\n'),
    );
    expect(doc).toContain(`\`\`\`\n${r.stdout}\`\`\``);
  });
});
