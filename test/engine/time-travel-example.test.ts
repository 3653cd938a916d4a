// The runnable examples of docs/time-travel.md, "Messages between runs" (ctx.send, and the
// mailbox read with ctx.receive): the page shows their exact code, and they run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';

const root = resolve(import.meta.dirname, '../..');

beforeAll(() => assertFreshBuild());

const EXAMPLES = [
  ['messages', '{"messageId":"writer-1/send:draft#0","to":"reviewer-1"}\nreviewed: a first draft\n'],
  ['mailbox', 'alert from outside: disk 91% full\nnote from notifier-1: build passed\n'],
] as const;

describe('docs/time-travel.md examples', () => {
  it.each(EXAMPLES)('the page shows examples/time-travel/%s.ts as it is, and it prints what the page says', (name, printed) => {
    const doc = readFileSync(join(root, 'docs/time-travel.md'), 'utf8');
    const source = readFileSync(join(root, `examples/time-travel/${name}.ts`), 'utf8').replace("'../../src/index.js'", "'lifeline-workflows'");
    expect(doc).toContain(`\`\`\`ts\n${source}\`\`\``);
    const r = spawnSync(process.execPath, [join(root, `build/examples/time-travel/${name}.js`)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(printed);
    expect(doc).toContain(`\`\`\`\n${r.stdout}\`\`\``);
  });

  it('the page shows examples/time-travel/versions.ts as it is, and it prints what the page says', () => {
    const doc = readFileSync(join(root, 'docs/time-travel.md'), 'utf8');
    const source = readFileSync(join(root, 'examples/time-travel/versions.ts'), 'utf8').replace("'../../src/index.js'", "'lifeline-workflows'");
    expect(doc).toContain(`## Workflow versions\n`);
    expect(doc).toContain(`\`\`\`ts\n${source}\`\`\``);
    const r = spawnSync(process.execPath, [join(root, 'build/examples/time-travel/versions.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'waiting for a worker with version 1 of example.checkout (live workers have 2)\n' +
        'order-1: v1 charged 100.4\norder-2: v2 charged 100.4\norder-3: v2 charged 100\n',
    );
    expect(doc).toContain(`\`\`\`\n${r.stdout}\`\`\``);
  });
});
