// GET /api/stream?after=ID[&run=RUN]: server-sent events, one `change` per new store event (of
// the run, when `run` is given) after `after`. The pages' script refreshes its tables on them.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { EventRecord } from '../store/types.js';
import type { EventFeed } from './event-feed.js';

export function eventStream(c: Context, feed: EventFeed): Response {
  // A reconnecting EventSource says where it got to; a new one starts where its page was drawn.
  const after = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? '0');
  const runId = c.req.query('run') || undefined;
  return streamSSE(c, async (stream) => {
    let sent = Number.isSafeInteger(after) && after > 0 ? after : 0;
    const send = (events: readonly EventRecord[]) => {
      for (const e of events) {
        if (e.id <= sent || (runId !== undefined && e.runId !== runId)) continue;
        sent = e.id;
        void stream.writeSSE({ event: 'change', id: String(e.id), data: JSON.stringify({ id: e.id, runId: e.runId, type: e.type }) }).catch(() => undefined);
      }
    };
    let ended: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const unsubscribe = feed.subscribe(send);
    stream.onAbort(() => {
      unsubscribe();
      ended();
    });
    send(await feed.since(sent, runId));
    await stream.writeSSE({ event: 'ready', data: String(sent) });
    await done;
  });
}
