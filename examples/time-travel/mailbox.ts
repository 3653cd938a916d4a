import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineWorkflow, Lifeline } from '../../src/index.js';

const inbox = defineWorkflow('example.inbox', async (ctx) => {
  const lines: string[] = [];
  for (;;) {
    const message = await ctx.receive<string>(); // the next unread message, whatever its name; waits while there is none
    if (message.name === 'close') return lines;
    lines.push(`${message.name} from ${message.from ?? 'outside'}: ${message.payload}`);
  }
});

const notifier = defineWorkflow('example.notifier', async (ctx, inboxRunId: string) => {
  await ctx.send(inboxRunId, 'note', 'build passed');
});

const db = join(mkdtempSync(join(tmpdir(), 'lifeline-example-')), 'example.db');
const lifeline = await Lifeline.open({ db, workflows: [inbox, notifier] });
lifeline.worker().start();
const box = await lifeline.start(inbox, null, { runId: 'inbox-1' });
await lifeline.signal('inbox-1', 'alert', 'disk 91% full'); // a signal from outside is a message too
await (await lifeline.start(notifier, 'inbox-1', { runId: 'notifier-1' })).result();
await lifeline.signal('inbox-1', 'close');
console.log((await box.result()).join('\n'));
await lifeline.close();
