// A workflow file that does not compile is reported with its file, line and column (exit 2),
// for JavaScript (Node's own SyntaxError names neither) and TypeScript (loaded through tsx).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { ROOT, requireBuild, cliOn } from './kit.js';

let tmp: ReturnType<typeof tempDir>;

const lifeline = cliOn(() => join(tmp.dir, 'w.db'));

const BROKEN = `import { defineWorkflow } from '${join(ROOT, 'build/src/index.js')}';

export const broken = defineWorkflow('broken', async (ctx) => {
  const x = ;
  return x;
});
`;

beforeAll(() => {
  requireBuild();
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe('workflow files with a syntax error', () => {
  it.each(['mjs', 'ts'])('names the .%s file, line and column for run and worker', (ext) => {
    const file = join(tmp.dir, `broken.${ext}`);
    writeFileSync(file, BROKEN);
    const message = `lifeline: Syntax error in workflow file ${file} at line 4, column 13: Unexpected ";"\n`;
    expect(lifeline(['run', file])).toMatchObject({ code: 2, out: '', err: message });
    expect(lifeline(['worker', file])).toMatchObject({ code: 2, out: '', err: message });
  });

  it('names the imported file that has the error, and the workflow file that imports it', () => {
    const dep = join(tmp.dir, 'helper.mjs');
    writeFileSync(dep, 'export const retries = 3;\nexport function pick(a) {\n  return a +;\n}\n');
    const file = join(tmp.dir, 'main.mjs');
    writeFileSync(file, `import { retries } from './helper.mjs';\nexport const n = retries;\n`);
    expect(lifeline(['run', file])).toMatchObject({
      code: 2,
      err: `lifeline: Syntax error in ${dep} at line 3, column 13: Unexpected ";" (imported by workflow file ${file})\n`,
    });
  });
});
