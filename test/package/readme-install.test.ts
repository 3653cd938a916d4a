// The first hour, as a new user meets it: the packed package installed into a fresh app, and the
// README's example run verbatim from there (through tsx, and through the `lifeline` command).
// The code is read from README.md here, so the README and this test cannot drift apart.
// npm install takes the dependencies from npm's cache (--prefer-offline): the registry is asked
// only for what the cache lacks (the first run on a machine), so this test needs it then.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
let tmp: ReturnType<typeof tempDir>;
let app: string;

/** The README's ```ts blocks whose first line names their file (`// research.ts: ...`). */
function readmeFiles(text: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of text.matchAll(/```ts\n(\/\/ ([\w-]+\.ts)[^\n]*\n[\s\S]*?)```/g)) files.set(m[2]!, m[1]!);
  return files;
}

/** The README's shell line that starts a run of the example through the CLI. */
function readmeCliRun(text: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith('npx lifeline run research.ts'));
  if (!line) throw new Error('README.md has no `npx lifeline run research.ts` line');
  const command = line.replace(/\s+#.*$/, '');
  const input = /--input '([^']*)'/.exec(command)?.[1];
  if (!input) throw new Error(`cannot read --input from: ${command}`);
  return ['run', 'research.ts', '--input', input];
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd: app, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('This test packs the build: run `npm run build` first (npm test does).');
  tmp = tempDir('lifeline-app-');
  app = join(tmp.dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  // The build is already there (pretest): pack without running `prepare` again.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir], { cwd: root, encoding: 'utf8' }),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(tmp.dir, packed[0]!.filename);
  const installed = JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
  // A fresh app. better-sqlite3 is pinned to the version this repository built, whose compiled
  // addon is copied in below instead of compiling it again from source (minutes on this machine).
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', overrides: { 'better-sqlite3': installed.version } }));
  execFileSync('npm', ['install', tarball, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8', stdio: 'pipe' });
  cpSync(join(root, 'node_modules/better-sqlite3/build'), join(app, 'node_modules/better-sqlite3/build'), { recursive: true });
  for (const [name, code] of readmeFiles(readme)) writeFileSync(join(app, name), code);
}, 120_000);
afterAll(() => tmp?.cleanup());

describe('the README example, from the installed package', () => {
  it('the README has the example as two files: the workflow module and the app', () => {
    expect([...readmeFiles(readme).keys()]).toEqual(['research.ts', 'app.ts']);
    expect(readme).toContain(`npm install ${pkg.name}`);
  });

  it('runs verbatim through tsx: the app prints the output and exits', () => {
    const r = run(join(app, 'node_modules/.bin/tsx'), ['app.ts']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/published: 2/);
  });

  it('runs verbatim through the `lifeline` command: one run, completed, the app code is not imported', () => {
    const r = run(join(app, 'node_modules/.bin/lifeline'), readmeCliRun(readme));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('"published": 2');
    const runs = run(join(app, 'node_modules/.bin/lifeline'), ['runs', '--json']);
    // the app's run (previous test) and the CLI's: importing research.ts started none
    expect((JSON.parse(runs.out) as unknown[]).length).toBe(2);
  });

  it('type-checks against the published declarations with skipLibCheck off (no pg or better-sqlite3 types needed)', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: ['app.ts', 'research.ts'],
      }),
    );
    const r = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
    expect(r.out + r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('ships no source maps, a LICENSE, and does not install pg; a PostgreSQL URL says to install it', () => {
    const dir = join(app, 'node_modules', pkg.name);
    expect(existsSync(join(dir, 'LICENSE'))).toBe(true);
    expect(existsSync(join(dir, 'dist/index.js.map'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/pg'))).toBe(false);
    const r = run(process.execPath, [
      '--input-type=module',
      '-e',
      `import { openStore } from '${pkg.name}/store'; await openStore('postgres://u@localhost:1/db').catch((e) => console.log(e.code, e.message));`,
    ]);
    expect(r.out.trim()).toBe(
      'STORE_DRIVER_MISSING PostgreSQL URLs need the "pg" package, an optional peer dependency of lifeline-workflows: run `npm install pg`.',
    );
  });
});
