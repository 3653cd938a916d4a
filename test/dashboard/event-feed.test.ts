// The dashboard's event feed on a real SQLite store: it finds the newest event id without
// reading the log (a dashboard opened on a large database starts at once), and hands only
// events appended after it to subscribers.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventFeed, newestEventId } from '../../src/dashboard/event-feed.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import type { EventRecord } from '../../src/store/types.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let store: Store;

async function append(n: number): Promise<void> {
  await store.appendEvents(Array.from({ length: n }, (_, i) => ({ runId: 'r', type: 'run.released' as const, data: { reason: 'shutdown' as const }, at: i })));
}

beforeAll(async () => {
  tmp = tempDir();
  store = await openSqliteStore(join(tmp.dir, 'feed.db'));
  await store.createRun({ id: 'r', workflow: 'w', input: 'null', now: 0 });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

describe('dashboard event feed', () => {
  it('finds the newest id with a few single-row reads, at every size', async () => {
    const reads: number[] = [];
    const counting: Store = Object.assign(Object.create(store) as Store, {
      listEvents: (filter: { afterId?: number; limit?: number }) => {
        reads.push(filter.limit ?? -1);
        return store.listEvents(filter);
      },
    });
    expect(await newestEventId(store)).toBe(0);
    for (const more of [1, 1, 1022, 1, 1, 3000]) {
      await append(more);
      const all = await store.listEvents({ limit: 100_000 });
      reads.length = 0;
      expect(await newestEventId(counting)).toBe(all[all.length - 1]!.id);
      expect(reads.every((limit) => limit === 1)).toBe(true);
      expect(reads.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(all.length + 1024)) + 2);
    }
  });

  it('gives subscribers only the events appended after it started', async () => {
    const feed = new EventFeed(store, 1000);
    await feed.start();
    const before = await feed.latestId();
    const got: EventRecord[] = [];
    const unsubscribe = feed.subscribe((events) => got.push(...events));
    await append(3);
    await feed.latestId();
    unsubscribe();
    expect(got.map((e) => e.id)).toEqual([before + 1, before + 2, before + 3]);
  });
});
