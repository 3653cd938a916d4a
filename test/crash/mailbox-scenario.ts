// Issue 12 §6's mailbox crash test, for any backend: a receiver worker process reads a message
// with ctx.receive() and is SIGKILLed inside the next step's body (the read committed, the step
// not). A second process resumes the run (the first one's lease names a dead pid on this host:
// taken over at once): the replayed read returns the same message, the step runs again with it,
// and the next read gets the next message. Exactly once: each message is read by one step, none
// is lost or read twice.
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { FixtureProcesses, ROOT, assertBuilt, until, untilAsync } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/mailbox-worker.js');

export async function runMailboxCrashScenario(db: string): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-mb-'));
  const procs = new FixtureProcesses(FIXTURE);
  let store: Store | undefined;
  const start = (kill: boolean) => procs.start({ MB_DB: db, MB_DIR: dir, MB_KILL: kill ? '1' : '0' });
  const bodies = () => (existsSync(join(dir, 'after')) ? readFileSync(join(dir, 'after'), 'utf8').trim().split('\n') : []);
  try {
    const first = start(true);
    const exited = once(first, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await until(() => existsSync(join(dir, `ready-${first.pid}`))).promise;
    store = await openStore(db);
    const s = store;
    await s.createRun({ id: 'receiver', workflow: 'mb.receiver', input: 'null', now: Date.now() });
    await untilAsync(async () => (await s.getRun('receiver'))?.status === 'waiting', 'the receiver to wait on its empty mailbox');
    await s.createRun({ id: 'sender', workflow: 'mb.sender', input: '"receiver"', now: Date.now() });
    expect((await exited)[1]).toBe('SIGKILL');

    // Where it died: the read of "a" is committed, the step after it ran once and is not committed.
    const [a] = await s.listSignals({ runId: 'receiver' });
    expect(a).toMatchObject({ name: 'a', senderRunId: 'sender', consumedByStep: 'receive#0' });
    expect(bodies()).toEqual([String(a?.id)]);
    expect((await s.getSteps('receiver')).map((x) => [x.stepId, x.status])).toEqual([['receive#0', 'completed']]);
    await s.sendSignal({ runId: 'receiver', name: 'b', payload: '{"n":2}', now: Date.now() }); // while its lease names a dead worker

    const second = start(false);
    await until(() => existsSync(join(dir, `ready-${second.pid}`))).promise;
    await untilAsync(async () => (await s.getRun('receiver'))?.status === 'completed', 'the receiver to complete');

    expect((await s.getRun('receiver'))?.output).toBe('[1,2]');
    // The resumed run replayed the read: the step ran again with the same message, never another.
    expect(bodies()).toEqual([String(a?.id), String(a?.id)]);
    expect((await s.listSignals({ runId: 'receiver' })).map((x) => [x.name, x.consumedByStep])).toEqual([
      ['a', 'receive#0'],
      ['b', 'receive#1'],
    ]);
    expect((await s.getSteps('receiver')).map((x) => [x.stepId, x.kind, x.status])).toEqual([
      ['receive#0', 'receive', 'completed'],
      ['after#0', 'step', 'completed'],
      ['receive#1', 'receive', 'completed'],
    ]);
    const signalled = (await s.listEvents({ runId: 'receiver' })).filter((e) => e.type === 'run.signalled');
    expect(signalled.map((e) => (JSON.parse(e.data) as { name: string }).name)).toEqual(['a', 'b']);
  } finally {
    await store?.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
