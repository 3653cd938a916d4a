// Finding the PostgreSQL server binaries and the user to run them as, for the test harness.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export interface PgBinaries {
  initdb: string;
  pgCtl: string;
  /** Directory of `postgres`, which pg_ctl starts (it looks beside itself first). */
  binDir: string;
}

const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH nor in ' +
  '/usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: `apt-get install postgresql`; ' +
  'macOS: `brew install postgresql`), or point the tests at an existing server with ' +
  'LIFELINE_TEST_PG_URL=postgres://user:password@host:port/database.';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A directory holding all three binaries, after resolving symlinks (pg_ctl needs its real dir). */
function fromDir(dir: string): PgBinaries | null {
  const names = ['initdb', 'pg_ctl', 'postgres'];
  if (!names.every((n) => executable(join(dir, n)))) return null;
  const real = (n: string) => realpathSync(join(dir, n));
  return { initdb: real('initdb'), pgCtl: real('pg_ctl'), binDir: dirname(real('postgres')) };
}

/** PATH first, then Debian's versioned directories (not on PATH there), newest first. */
export function findPgBinaries(): PgBinaries {
  const candidates = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+(\.\d+)?$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(base, v, 'bin')));
  }
  for (const dir of candidates) {
    const found = fromDir(dir);
    if (found !== null) return found;
  }
  throw new Error(INSTALL_HINT);
}

/**
 * initdb and postgres refuse to run as root. Then the server runs as `postgres` if that user
 * exists, else `nobody`, through runuser (util-linux) or setpriv.
 */
export function serverUser(): { name: string; uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { name, uid, gid };
    } catch {
      // no such user: try the next one
    }
  }
  throw new Error('Running as root, but neither a "postgres" nor a "nobody" user exists to run PostgreSQL as.');
}

/** argv that runs `argv` as `user` (or as is when user is null). */
export function asUser(user: { name: string; uid: number; gid: number } | null, argv: string[]): string[] {
  if (user === null) return argv;
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find(executable);
  if (runuser !== undefined) return [runuser, '-u', user.name, '--', ...argv];
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', ...argv];
}
