import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertFreshBuild, staleBuildFiles, writeBuildStamp } from '../dist-build.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

/** A repository layout with one source, its compiled file (unless `compiled` is false) and a build stamp. */
function layout(compiled = true): string {
  tmp = tempDir('lifeline-dist-');
  const root = tmp.dir;
  for (const dir of ['src/engine', 'test/fixtures', 'build/src/engine']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'src/engine/clock.ts'), 'export const a = 1;');
  writeFileSync(join(root, 'src/engine/types.d.ts'), 'export {};'); // declarations compile to nothing
  if (compiled) writeFileSync(join(root, 'build/src/engine/clock.js'), 'export const a = 1;');
  writeBuildStamp(root);
  return root;
}

describe('the build/ freshness guard', () => {
  it('accepts a build stamped from the current sources, also when a source was only touched', () => {
    const root = layout();
    expect(staleBuildFiles(root)).toEqual([]);
    utimesSync(join(root, 'src/engine/clock.ts'), 4_000_000_000, 4_000_000_000); // newer than the build, same content
    expect(() => assertFreshBuild(root)).not.toThrow();
  });

  it('refuses a source whose content changed after the build, a source never built, and a build never stamped', () => {
    const root = layout();
    writeFileSync(join(root, 'src/engine/clock.ts'), 'export const a = 2;');
    expect(() => assertFreshBuild(root)).toThrow(
      'build/ is older than src: run npm run build:dev (npm test does) before these tests. Changed since the build: src/engine/clock.ts',
    );
    expect(staleBuildFiles(layout(false))).toEqual(['src/engine/clock.ts']);
    const unstamped = layout();
    writeFileSync(join(unstamped, 'build/sources.json'), '{}');
    expect(staleBuildFiles(unstamped)).toEqual(['src/engine/clock.ts']);
  });
});
