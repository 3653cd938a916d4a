// Tests that run the compiled CLI and fixtures (build/, from tsconfig.dev.json) must not run a
// build of other sources than the ones checked out: a stale build/ would test yesterday's code and
// pass. `npm run build:dev` (which `npm test` runs first) compiles incrementally, then stamps the
// content hash of every source it compiled into build/sources.json; the guard compares hashes,
// not mtimes, because an incremental build does not rewrite the output of a source that was only
// touched (a checkout that rewrites an unchanged file), and an mtime check would then refuse a
// build that is in fact current. A focused `npx vitest run` after editing src/ gets this error.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The sources whose compiled output the build/ tests execute. */
const SOURCE_DIRS = ['src', 'test/fixtures'];
const STAMP = 'build/sources.json';

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Content hash of every source (relative path → sha256). */
function sourceHashes(root: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const dir of SOURCE_DIRS) {
    for (const source of sourcesUnder(join(root, dir))) {
      hashes[relative(root, source)] = createHash('sha256').update(readFileSync(source)).digest('hex');
    }
  }
  return hashes;
}

/** Records which sources build/ was compiled from. Run right after a successful dev build. */
export function writeBuildStamp(root = ROOT): void {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, STAMP), JSON.stringify(sourceHashes(root)));
}

/** Source files (relative to the repository) whose build/ output is missing or from other content. */
export function staleBuildFiles(root = ROOT): string[] {
  const stampPath = join(root, STAMP);
  const stamp = existsSync(stampPath) ? (JSON.parse(readFileSync(stampPath, 'utf8')) as Record<string, string>) : {};
  return Object.entries(sourceHashes(root))
    .filter(([rel, hash]) => stamp[rel] !== hash || !existsSync(join(root, 'build', rel.replace(/\.ts$/, '.js'))))
    .map(([rel]) => rel);
}

/** Throws unless build/ was compiled from the current sources. */
export function assertFreshBuild(root = ROOT): void {
  const stale = staleBuildFiles(root);
  if (stale.length === 0) return;
  const shown = stale.slice(0, 5).join(', ') + (stale.length > 5 ? `, and ${stale.length - 5} more` : '');
  throw new Error(`build/ is older than src: run npm run build:dev (npm test does) before these tests. Changed since the build: ${shown}`);
}

// `tsx test/dist-build.ts --stamp`: the last step of `npm run build:dev`.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--stamp') writeBuildStamp();
