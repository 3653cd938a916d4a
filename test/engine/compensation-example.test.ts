// The runnable example of docs/time-travel.md, "Compensation": the page shows its exact code, and it runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';

const root = resolve(import.meta.dirname, '../..');

beforeAll(() => assertFreshBuild());

describe('docs/time-travel.md compensation example', () => {
  it('the page shows examples/time-travel/compensation.ts as it is, and it prints what the page says', () => {
    const doc = readFileSync(join(root, 'docs/time-travel.md'), 'utf8');
    const source = readFileSync(join(root, 'examples/time-travel/compensation.ts'), 'utf8').replace("'../../src/index.js'", "'lifeline-workflows'");
    expect(doc).toContain(`\`\`\`ts\n${source}\`\`\``);
    const r = spawnSync(process.execPath, [join(root, 'build/examples/time-travel/compensation.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'cancelled the hotel in Lisbon\ncancelled the flight to Lisbon\n' +
        'Run trip-1 failed: Step "charge-card#0" failed with unknown error after 1 attempt: card declined\nfailed, compensation done\n',
    );
    expect(doc).toContain(`\`\`\`\n${r.stdout}\`\`\``);
  });
});
