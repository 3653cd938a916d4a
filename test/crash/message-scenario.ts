// Issue 12 §6's crash test, for any backend: a sender process SIGKILLs itself at a point of its
// ctx.send (message stored, step not committed; or right after the commit); a second process
// resumes the sender (the first one's lease names a dead pid on this host: taken over at once)
// and runs the receiver. The receiver gets the message exactly once: one `run.signalled` event
// from the sender (written in the same transaction as the message row) and its output.
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { FixtureProcesses, ROOT, assertBuilt, until } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/message-worker.js');

async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25)); // the poll interval of a condition, not a wait for time
  }
}

export async function runMessageCrashScenario(db: string, killAt: 'stored' | 'committed'): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-msg-'));
  const procs = new FixtureProcesses(FIXTURE);
  let store: Store | undefined;
  const start = (env: Record<string, string>) => procs.start({ MSG_DB: db, MSG_DIR: dir, ...env });
  try {
    const first = start({ MSG_KILL_AT: killAt });
    const exited = once(first, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await until(() => existsSync(join(dir, `ready-${first.pid}`))).promise;
    store = await openStore(db);
    const s = store;
    await s.createRun({ id: 'receiver', workflow: 'msg.receiver', input: 'null', now: Date.now() });
    await untilAsync(async () => (await s.getRun('receiver'))?.status === 'waiting', 'the receiver to wait');
    await s.createRun({ id: 'sender', workflow: 'msg.sender', input: '"receiver"', now: Date.now() });
    expect((await exited)[1]).toBe('SIGKILL');

    const signalled = async () => (await s.listEvents({ runId: 'receiver' })).filter((e) => e.type === 'run.signalled');
    const sendStep = async () => (await s.getSteps('sender')).find((x) => x.stepId === 'send:hello#0');
    // Where it died: the message is stored; its step is committed only when killed after the commit.
    expect(await signalled()).toHaveLength(1);
    expect((await sendStep())?.status).toBe(killAt === 'committed' ? 'completed' : undefined);

    const second = start({});
    await until(() => readdirSync(dir).includes(`ready-${second.pid}`)).promise;
    await untilAsync(
      async () => (await s.getRun('sender'))?.status === 'completed' && (await s.getRun('receiver'))?.status === 'completed',
      'both runs to complete',
    );

    const events = await signalled();
    expect(events.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ name: 'hello', signalId: expect.any(Number) as number, from: 'sender' }]);
    expect((await s.getRun('receiver'))?.output).toBe('{"n":1}');
    expect(await sendStep()).toMatchObject({ status: 'completed', output: JSON.stringify({ messageId: 'sender/send:hello#0', to: 'receiver' }) });
    // The resumed sender ran the send step again only when it had not been committed.
    const attempts = (await s.listAttempts('sender')).filter((a) => a.stepId === 'send:hello#0');
    expect(attempts).toEqual([]); // a send is a recorded value, not a step with attempts
  } finally {
    await store?.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
