// `--db` problems are named (directory, missing file, permissions, another application's
// database), reads never create or change a database, and exit with code 5 (docs/cli.md).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, serverUser } from '../pg/pg-binaries.js';
import { tempDir } from '../helpers.js';
import { ROOT, fixturePath, requireBuild, runCli } from './kit.js';

const fixture = fixturePath('cli-workflows');
let tmp: ReturnType<typeof tempDir>;

/**
 * Permission checks need a user the file modes apply to: as root (as here and in CI) the CLI runs
 * as an unprivileged user (`postgres` or `nobody`) through runuser/setpriv; as anyone else, as is.
 */
const other = serverUser();
const uid = other?.uid ?? process.getuid?.() ?? 0;

/**
 * The unprivileged user runs the CLI from this checkout, so it must be able to reach it: a
 * checkout under a directory only root may enter (a `mktemp -d` parent, mode 0700) cannot be
 * tested this way. Then the cases that run as that user are skipped, saying which directory
 * stops them, rather than failing on a message about the CLI's own file.
 */
const otherCannotReach = ((): string | null => {
  if (other === null) return null;
  for (let dir = ROOT; ; dir = resolve(dir, '..')) {
    const [cmd, ...rest] = asUser(other, ['test', '-x', dir]);
    if (spawnSync(cmd!, rest).status !== 0) return dir;
    if (dir === resolve(dir, '..')) return null;
  }
})();
const asOtherIt = otherCannotReach === null ? it : it.skip;
if (otherCannotReach !== null) {
  process.stderr.write(`cli-db: permission cases skipped: user ${other?.name} cannot enter ${otherCannotReach}, above this checkout\n`);
}

function lifeline(db: string, args: string[], asOther = false) {
  return runCli(db, args, asOther ? { wrap: (argv) => asUser(other, argv) } : {});
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(() => {
  requireBuild();
  tmp = tempDir();
  chmodSync(tmp.dir, 0o755); // the unprivileged user must reach the files below
});
afterAll(() => tmp.cleanup());

describe('lifeline --db problems', () => {
  it('names a directory given as --db', () => {
    const dir = join(tmp.dir, 'adir');
    mkdirSync(dir);
    for (const args of [['runs'], ['run', fixture, '-w', 'cli.greet']]) {
      expect(lifeline(dir, args)).toMatchObject({ code: 5, err: `lifeline: Cannot open Lifeline database ${dir}: it is a directory, not a database file\n` });
    }
  });

  it('read-only commands on a missing file say so and create nothing', () => {
    const db = join(tmp.dir, 'missing.db');
    const message = `lifeline: Cannot open Lifeline database ${db}: no database at this path (a read-only command never creates one; check --db or LIFELINE_DB)\n`;
    expect(lifeline(db, ['runs'])).toMatchObject({ code: 5, err: message });
    expect(lifeline(db, ['show', 'r1'])).toMatchObject({ code: 5, err: message });
    expect(['', '-wal', '-shm', '-journal'].filter((s) => existsSync(db + s))).toEqual([]);
  });

  it.each([
    ['its own runs table', ['CREATE TABLE runs (id INTEGER PRIMARY KEY, who TEXT)'], 'the table "runs"'],
    ['tables of its own', ['CREATE TABLE users (id INTEGER PRIMARY KEY)', 'CREATE TABLE orders (id INTEGER PRIMARY KEY)'], 'the tables "orders", "users"'],
  ])("refuses another application's database with %s, byte for byte untouched (journal mode too)", (what, ddl, holds) => {
    const db = join(tmp.dir, `app-${what.length}.db`);
    const app = new Database(db);
    for (const statement of ddl) app.exec(statement);
    app.close();
    const before = sha256(db);
    const message =
      `lifeline: Database ${db} is not a Lifeline database: it holds ${holds} and no lifeline_schema table. ` +
      'It was left untouched; point --db (or LIFELINE_DB) at a new file or an empty schema.\n';
    expect(lifeline(db, ['runs'])).toMatchObject({ code: 5, err: message });
    expect(lifeline(db, ['run', fixture, '-w', 'cli.greet'])).toMatchObject({ code: 5, err: message });
    expect(sha256(db)).toBe(before);
    const check = new Database(db, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });

  asOtherIt('a database the user can read but not write: reads work, writes are refused naming the permission', () => {
    const dir = join(tmp.dir, 'shared');
    mkdirSync(dir);
    const db = join(dir, 'ro.db');
    expect(lifeline(db, ['run', fixture, '-w', 'cli.greet', '--input', '{"name":"ro"}', '--run-id', 'ro1', '-q']).code).toBe(0);
    chmodSync(db, 0o644);
    chmodSync(dir, 0o777); // the other user may create the -wal/-shm files a WAL reader needs
    if (other === null) chmodSync(db, 0o444); // not root: the file mode applies to this user itself
    const before = sha256(db);

    const runs = lifeline(db, ['runs'], true);
    expect(runs.err).toBe('');
    expect(runs).toMatchObject({ code: 0 });
    expect(runs.out).toMatch(/ro1\s+cli\.greet\s+completed/);
    expect(lifeline(db, ['show', 'ro1'], true)).toMatchObject({ code: 0 });

    const write = lifeline(db, ['run', fixture, '-w', 'cli.greet', '--input', '{"name":"x"}'], true);
    expect(write).toMatchObject({
      code: 5,
      err: `lifeline: Cannot open Lifeline database ${db}: permission denied: this user (uid ${uid}) cannot write it (read-only commands such as runs and show still work)\n`,
    });
    expect(lifeline(db, ['signal', 'ro1', 'go'], true)).toMatchObject({ code: 5 });
    expect(sha256(db)).toBe(before);

    chmodSync(db, 0o600);
    if (other === null) chmodSync(db, 0o000);
    expect(lifeline(db, ['runs'], true)).toMatchObject({
      code: 5,
      err: `lifeline: Cannot open Lifeline database ${db}: permission denied: this user (uid ${uid}) cannot read it\n`,
    });
  });

  asOtherIt('names a directory the user cannot write, where a new database would go', () => {
    const dir = join(tmp.dir, 'locked');
    mkdirSync(dir, 0o755);
    if (other === null) chmodSync(dir, 0o555);
    const db = join(dir, 'new.db');
    expect(lifeline(db, ['run', fixture, '-w', 'cli.greet'], true)).toMatchObject({
      code: 5,
      err: `lifeline: Cannot open Lifeline database ${db}: permission denied: this user (uid ${uid}) cannot write the directory ${dir}, where SQLite keeps the database's -wal and -shm files\n`,
    });
    expect(existsSync(db)).toBe(false);
  });
});
