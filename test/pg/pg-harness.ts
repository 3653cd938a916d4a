// A throwaway PostgreSQL server for tests: initdb into a temp dir, start on 127.0.0.1 with a free
// port, stop and remove it afterwards. Or, with LIFELINE_TEST_PG_URL set, an existing server.
// fsync stays on (the default): the benchmarks and the durability tests measure the real thing.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { asUser, findPgBinaries, serverUser, type PgBinaries } from './pg-binaries.js';

export interface TestPostgres {
  /** Connection URL of a superuser (trust auth: no password). */
  url: string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
  /** Stops the server (fast shutdown: clients are disconnected) and starts it again, same data. */
  restart(): Promise<void>;
  /** Stops the server, keeping the data, until startServer() (outage tests). */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
}

const COMMAND_TIMEOUT_MS = 60_000;

function run(argv: string[]): Promise<string> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty command');
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${argv.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** pg_ctl -w already waits; this also proves a client can log in (bounded: ~15 s). */
async function waitUntilReady(url: string): Promise<void> {
  let lastError: unknown;
  for (let i = 0; i < 75; i++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new Error(`PostgreSQL did not become ready: ${String(lastError)}`);
}

function external(url: string): TestPostgres {
  const unsupported = (what: string) => () =>
    Promise.reject(new Error(`${what} is not supported with LIFELINE_TEST_PG_URL (an external server); unset it to let the harness run its own.`));
  return {
    url,
    stop: () => Promise.resolve(),
    restart: unsupported('restart()'),
    stopServer: unsupported('stopServer()'),
    startServer: unsupported('startServer()'),
  };
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env['LIFELINE_TEST_PG_URL'];
  if (given !== undefined && given !== '') return external(given);
  return startLocal(findPgBinaries());
}

async function startLocal(bin: PgBinaries): Promise<TestPostgres> {
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-pg-'));
  const data = join(dir, 'data');
  if (user !== null) chownSync(dir, user.uid, user.gid);
  const ctl = (...args: string[]) => asUser(user, [bin.pgCtl, '-D', data, ...args]);
  const stopNow = (mode: 'fast' | 'immediate') => ctl('stop', '-m', mode, '-w', '-t', '30');

  // A crashed or killed test process must not leave a server behind: a detached watchdog stops it
  // when this process is gone, and an exit handler does so on a normal exit that skipped stop().
  const watchdog = spawn(
    'sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "${dir}"`, 'sh', ...stopNow('immediate')],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  const onExit = () => {
    try {
      // Synchronous on purpose: nothing asynchronous runs in an 'exit' handler.
      const [cmd, ...args] = stopNow('immediate');
      if (cmd !== undefined) execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // the watchdog still covers it
    }
  };
  process.once('exit', onExit);
  let stopped = false;
  const cleanup = () => {
    stopped = true;
    process.removeListener('exit', onExit);
    if (watchdog.pid !== undefined) {
      try {
        process.kill(watchdog.pid);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  let port = 0;
  let options = '';
  try {
    await run(asUser(user, [bin.initdb, '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']));
    // A free port can be taken between the probe and the server's bind: try a few.
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      options = [`-p ${port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${dir}`, '-c max_connections=200', '-c fsync=on'].join(' ');
      try {
        await run(ctl('start', '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options));
        break;
      } catch (error) {
        if (attempt >= 2) throw error;
      }
    }
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitUntilReady(url);

    const startServer = async () => {
      await run(ctl('start', '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options));
      await waitUntilReady(url);
    };
    const stopServer = async () => {
      await run(stopNow('fast'));
    };
    return {
      url,
      stopServer,
      startServer,
      restart: async () => {
        await stopServer();
        await startServer();
      },
      stop: async () => {
        if (stopped) return;
        try {
          await run(stopNow('fast'));
        } catch {
          // already stopped (stopServer) or never fully started: the dir goes anyway
        }
        cleanup();
      },
    };
  } catch (error) {
    await run(stopNow('immediate')).catch(() => {});
    cleanup();
    throw error;
  }
}
