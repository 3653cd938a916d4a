// The store's event log followed forward for the dashboard: one reader per server (not one per
// browser tab) pages through Store.listEvents from the last id it saw and hands new events to
// the subscribed streams. Pages render the id they were drawn at, and their stream starts there.
import type { Store } from '../store/store.js';
import type { EventRecord } from '../store/types.js';

const PAGE = 1000;

export type FeedListener = (events: readonly EventRecord[]) => void;

export class EventFeed {
  private lastId = 0;
  private reading: Promise<number> | null = null;
  private readonly listeners = new Set<FeedListener>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly pollMs: number,
  ) {}

  /** Starts at the newest event in the store, without reading the log that came before. */
  async start(): Promise<void> {
    this.lastId = await newestEventId(this.store);
  }

  /** The newest event id in the store (reads forward from the last one seen). */
  latestId(): Promise<number> {
    this.reading ??= this.readForward().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  /** Calls `listener` with each batch of new events until the returned function is called. */
  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => void this.latestId().catch(() => undefined), this.pollMs);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Events after `afterId` up to the feed's position (for a stream that starts behind it). */
  async since(afterId: number, runId: string | undefined): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    const until = await this.latestId();
    for (let after = afterId; after < until;) {
      const page = await this.store.listEvents({ afterId: after, limit: PAGE, ...(runId ? { runId } : {}) });
      out.push(...page.filter((e) => e.id <= until));
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async readForward(): Promise<number> {
    for (;;) {
      const page = await this.store.listEvents({ afterId: this.lastId, limit: PAGE });
      if (page.length === 0) return this.lastId;
      this.lastId = page[page.length - 1]!.id;
      for (const listener of this.listeners) listener(page);
      if (page.length < PAGE) return this.lastId;
    }
  }
}

/**
 * The largest event id, in O(log n) single-row reads (Store has no "max id" query): doubles a
 * bound until no event lies after it, then bisects. Ids only grow, so an event appended meanwhile
 * only makes the answer a little old, and the feed reads forward from it.
 */
export async function newestEventId(store: Store): Promise<number> {
  const after = async (id: number) => (await store.listEvents({ afterId: id, limit: 1 })).length > 0;
  if (!(await after(0))) return 0;
  let low = 1; // some event has an id >= low
  let high = 1024; // smallest bound tried with no event after it
  while (await after(high)) {
    low = high + 1;
    high *= 2;
  }
  // The newest id is in [low, high]: the smallest x with no event after it.
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (await after(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}
