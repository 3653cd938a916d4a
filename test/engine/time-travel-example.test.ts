// The runnable examples of docs/time-travel.md (messages and the mailbox, workflow versions,
// rewind, compensation): the page shows their exact code under its section, and they run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';

const root = resolve(import.meta.dirname, '../..');

beforeAll(() => assertFreshBuild());

// [example, the page section that shows it, what it prints]
const EXAMPLES = [
  ['messages', '## Messages between runs', '{"messageId":"writer-1/send:draft#0","to":"reviewer-1"}\nreviewed: a first draft\n'],
  ['mailbox', '### The mailbox: `ctx.receive`', 'alert from outside: disk 91% full\nnote from notifier-1: build passed\n'],
  [
    'versions',
    '## Workflow versions',
    'waiting for a worker with version 1 of example.checkout (live workers have 2)\n' +
      'order-1: v1 charged 100.4\norder-2: v2 charged 100.4\norder-3: v2 charged 100\n',
  ],
  [
    'rewind',
    '## Rewind',
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
  ],
  [
    'compensation',
    '## Compensation',
    'cancelled the hotel in Lisbon\ncancelled the flight to Lisbon\n' +
      'Run trip-1 failed: Step "charge-card#0" failed with unknown error after 1 attempt: card declined\nfailed, compensation done\n',
  ],
] as const;

describe('docs/time-travel.md examples', () => {
  it.each(EXAMPLES)('the page shows examples/time-travel/%s.ts as it is (under "%s"), and it prints what the page says', (name, section, printed) => {
    const doc = readFileSync(join(root, 'docs/time-travel.md'), 'utf8');
    const source = readFileSync(join(root, `examples/time-travel/${name}.ts`), 'utf8').replace("'../../src/index.js'", "'lifeline-workflows'");
    expect(doc).toContain(`${section}\n`);
    expect(doc).toContain(`\`\`\`ts\n${source}\`\`\``);
    const r = spawnSync(process.execPath, [join(root, `build/examples/time-travel/${name}.js`)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(printed);
    expect(doc).toContain(`\`\`\`\n${r.stdout}\`\`\``);
  });
});
