// Tests that run the compiled CLI and fixtures (build/, from tsconfig.dev.json) must not run a
// build older than the sources: a stale build/ would test yesterday's code and pass. `npm test`
// builds first (pretest); a focused `npx vitest run` after editing src/ gets this error instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The sources whose compiled output the build/ tests execute. */
const SOURCE_DIRS = ['src', 'test/fixtures'];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Source files (relative to the repository) whose build/ counterpart is missing or older. */
export function staleBuildFiles(root = ROOT): string[] {
  const stale: string[] = [];
  for (const dir of SOURCE_DIRS) {
    for (const source of sourcesUnder(join(root, dir))) {
      const rel = relative(root, source);
      const compiled = join(root, 'build', rel.replace(/\.ts$/, '.js'));
      if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) stale.push(rel);
    }
  }
  return stale;
}

/** Throws unless build/ was built from the current sources. */
export function assertFreshBuild(root = ROOT): void {
  const stale = staleBuildFiles(root);
  if (stale.length === 0) return;
  const shown = stale.slice(0, 5).join(', ') + (stale.length > 5 ? `, and ${stale.length - 5} more` : '');
  throw new Error(`build/ is older than src: run npm run build:dev (npm test does) before these tests. Changed since the build: ${shown}`);
}
