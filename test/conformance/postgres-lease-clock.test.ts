// On PostgreSQL lease expiry is set and compared on the DATABASE server's clock by default
// (leaseClock: 'database'), so a worker whose host clock runs ahead cannot take over a live lease
// early, and one whose clock runs behind cannot make its lease look longer. The conformance
// suite drives time through `now` and opens its stores with leaseClock: 'caller' instead.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { claimArgs, createRun } from '../../src/testing/store-conformance/helpers.js';

const pg = usePostgres();
const HOUR = 3_600_000;
const LEASE = 60_000;

describe('PostgreSQL lease clock', () => {
  it('a worker whose clock runs an hour ahead does not take over a live lease (database clock, the default)', async () => {
    const { store, cleanup } = await pg.openFresh();
    try {
      expect(store.leaseClock).toBe('database');
      await createRun(store, 'r1', { now: Date.now() });
      const [mine] = await store.claimRuns(claimArgs({ workerId: 'a', now: Date.now(), leaseMs: LEASE }));
      expect(mine?.id).toBe('r1');
      // Host B's clock is an hour fast: by its clock A's lease ran out long ago.
      expect(await store.claimRuns(claimArgs({ workerId: 'b', now: Date.now() + HOUR, leaseMs: LEASE }))).toEqual([]);
      // Host A's clock is an hour slow: its heartbeat still extends from the server's now, not into the past.
      expect(await store.heartbeat({ runId: 'r1', token: mine!.lease!.token, now: Date.now() - HOUR, leaseMs: LEASE })).toEqual({
        ok: true,
        cancelRequested: false,
      });
      // ... and so does a fenced attempt start with a lease time.
      await store.startAttempt({
        runId: 'r1',
        token: mine!.lease!.token,
        leaseMs: LEASE,
        stepId: 's#0',
        stepName: 's',
        attempt: 1,
        startedAt: Date.now() - HOUR,
        workerId: 'a',
      });
      const expiresAt = (await store.getRun('r1'))?.lease?.expiresAt ?? 0;
      const serverNow = await pg.withClient(async (c) =>
        Number((await c.query<{ ms: string }>('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS ms')).rows[0]?.ms),
      );
      expect(expiresAt).toBeGreaterThan(serverNow + LEASE / 2);
      expect(await store.claimRuns(claimArgs({ workerId: 'b', now: Date.now() + HOUR, leaseMs: LEASE }))).toEqual([]);
      // A broken lease (dead owner) is claimable at once, even by a host whose clock is behind.
      expect(await store.breakLease('r1', mine!.lease!.token, Date.now())).toBe(true);
      const [taken] = await store.claimRuns(claimArgs({ workerId: 'c', now: Date.now() - HOUR, leaseMs: LEASE }));
      expect(taken?.lease?.workerId).toBe('c');
    } finally {
      await cleanup();
    }
  });

  it("with leaseClock 'caller' the callers' clocks decide (what the fast host would have done)", async () => {
    const { store, cleanup } = await pg.openFresh({ leaseClock: 'caller' });
    try {
      await createRun(store, 'r1', { now: Date.now() });
      await store.claimRuns(claimArgs({ workerId: 'a', now: Date.now(), leaseMs: LEASE }));
      const [taken] = await store.claimRuns(claimArgs({ workerId: 'b', now: Date.now() + HOUR, leaseMs: LEASE }));
      expect(taken?.lease?.workerId).toBe('b');
    } finally {
      await cleanup();
    }
  });

  it('refuses an unknown lease clock, naming the option and the choices (openPostgresStore and openStore word it alike)', async () => {
    const error = await openPostgresStore(pg.server().url, { schema: pg.freshSchema(), leaseClock: 'server' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toBe('Invalid option openStore.leaseClock: must be "database" or "caller" (got "server")');
    const viaOpenStore = await openStore(pg.server().url, { leaseClock: 'server' as never }).catch((e: unknown) => e);
    expect((viaOpenStore as Error).message).toBe((error as Error).message);
  });
});
