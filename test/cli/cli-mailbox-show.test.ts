// `lifeline show RUN` lists the run's mailbox: every signal and message sent to it, in arrival
// order, read (by which step) or unread (built CLI, real SQLite file).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { claim, commitArgs, createRun, T0 } from '../../src/testing/store-conformance/helpers.js';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'build/src/cli/main.js');
let tmp: ReturnType<typeof tempDir>;
let db: string;

beforeAll(async () => {
  assertFreshBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'show.db');
  const store = await openSqliteStore(db);
  await createRun(store, 'inbox', { now: T0 });
  await createRun(store, 'sender', { now: T0 });
  const run = await claim(store, 'inbox', { now: T0 });
  const first = await store.sendSignal({ runId: 'inbox', name: 'alert', payload: '"disk full"', now: T0 + 1 });
  await store.sendSignal({ runId: 'inbox', name: 'note', payload: '{"ok":true}', now: T0 + 2, message: { id: 'sender/send:note#0', senderRunId: 'sender' } });
  await store.commitStep(commitArgs(run, 'receive#0', { kind: 'receive', output: '{}' }, { consumeSignalId: first.id }));
  await store.close();
});
afterAll(() => tmp?.cleanup());

describe('lifeline show: messages', () => {
  it('lists the messages read and unread, with their sender, in text and --json', () => {
    const text = spawnSync(process.execPath, [cli, '--db', db, 'show', 'inbox'], { encoding: 'utf8', timeout: 30_000 });
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    const at = lines.indexOf('messages (2, 1 unread)');
    expect(lines.slice(at + 1, at + 4).map((l) => l.replace(/ +/g, ' ').trimEnd())).toEqual([
      'ID NAME FROM SENT READ BY PAYLOAD',
      `1 alert (outside) ${new Date(T0 + 1).toISOString()} receive#0 "disk full"`,
      `2 note sender ${new Date(T0 + 2).toISOString()} unread {"ok":true}`,
    ]);
    const json = spawnSync(process.execPath, [cli, '--db', db, 'show', 'inbox', '--json'], { encoding: 'utf8', timeout: 30_000 });
    expect((JSON.parse(json.stdout) as { messages: unknown }).messages).toEqual([
      { id: 1, name: 'alert', payload: 'disk full', from: null, messageId: null, sentAt: T0 + 1, readBy: 'receive#0' },
      { id: 2, name: 'note', payload: { ok: true }, from: 'sender', messageId: 'sender/send:note#0', sentAt: T0 + 2, readBy: null },
    ]);
  });
});
