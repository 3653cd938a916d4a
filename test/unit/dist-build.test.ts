import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertFreshBuild, staleBuildFiles } from '../dist-build.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

/** A repository layout with one source and its compiled file, at the given mtimes (seconds). */
function layout(sourceAt: number, compiledAt: number | null): string {
  tmp = tempDir('lifeline-dist-');
  const root = tmp.dir;
  for (const dir of ['src/engine', 'test/fixtures', 'build/src/engine']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'src/engine/clock.ts'), 'export {};');
  writeFileSync(join(root, 'src/engine/types.d.ts'), 'export {};'); // declarations compile to nothing
  utimesSync(join(root, 'src/engine/clock.ts'), sourceAt, sourceAt);
  if (compiledAt !== null) {
    writeFileSync(join(root, 'build/src/engine/clock.js'), 'export {};');
    utimesSync(join(root, 'build/src/engine/clock.js'), compiledAt, compiledAt);
  }
  return root;
}

describe('the build/ freshness guard', () => {
  it('accepts a build made after the last source change', () => {
    expect(staleBuildFiles(layout(1_000, 2_000))).toEqual([]);
    expect(() => assertFreshBuild(tmp!.dir)).not.toThrow();
  });

  it('refuses a source changed after the build, and a source never built', () => {
    expect(() => assertFreshBuild(layout(2_000, 1_000))).toThrow(
      'build/ is older than src: run npm run build:dev (npm test does) before these tests. Changed since the build: src/engine/clock.ts',
    );
    expect(staleBuildFiles(layout(1_000, null))).toEqual(['src/engine/clock.ts']);
  });
});
