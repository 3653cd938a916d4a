// The step cache across runs (StepOptions.cache, src/engine/step-cache.ts) on one SQLite file:
// a second run hits without running the body (bodies counted in a file, not only commits), the
// hit is a `cached` attempt with a `step.cached` event naming the source run, replay returns the
// committed value, the TTL expires on the ManualClock, a version bump or a failure misses, and a
// run wanting a key that another run is computing waits for it.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { usePostgres } from '../pg/pg-fixture.js';

let engine: TestEngine | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
let releaseBody: (() => void) | undefined;
afterEach(async () => {
  releaseBody?.(); // a body still waiting must not hold the shutdown
  releaseBody = undefined;
  await engine?.close();
  engine = undefined;
  tmp?.cleanup();
  tmp = undefined;
});

function setup() {
  tmp = tempDir('lifeline-cache-');
  const counter = join(tmp.dir, 'bodies.txt');
  const bodies = (): string[] => (existsSync(counter) ? readFileSync(counter, 'utf8').trim().split('\n') : []);
  return { db: join(tmp.dir, 'cache.db'), counter, bodies };
}

describe('step cache', () => {
  it('serves a second run on the same file from the cache: the body runs once, the hit names its source run, replay returns it', async () => {
    const { db, counter, bodies } = setup();
    const clock = new ManualClock();
    const wf = defineWorkflow('cache.fetch', async (ctx, input: { url: string }) => {
      const page = await ctx.step(
        'fetch',
        ({ runId }) => {
          appendFileSync(counter, `${runId}\n`);
          return { body: `page of ${input.url}`, by: runId };
        },
        { cache: { key: { url: input.url }, ttl: '1h', version: 1 } },
      );
      await ctx.sleep('1s'); // the run is released and replayed after the sleep
      return page;
    });
    engine = await startEngine({ db, workflows: [wf], clock });
    const first = await engine.lifeline.start(wf, { url: 'https://a.example' });
    await waitForEvent(engine, (e) => e.type === 'run.sleeping' && e.runId === first.runId);
    await clock.advance(1000);
    const value = await first.result();
    expect(value).toEqual({ body: 'page of https://a.example', by: first.runId });
    await engine.close();

    // Another client on the same file (as another process would be).
    engine = await startEngine({ db, workflows: [wf], clock });
    const second = await engine.lifeline.start(wf, { url: 'https://a.example' });
    await waitForEvent(engine, (e) => e.type === 'run.sleeping' && e.runId === second.runId);
    expect(bodies()).toEqual([first.runId]);
    const store = engine.lifeline.store;
    const attempts = await store.listAttempts(second.runId);
    expect(attempts.map((a) => [a.stepId, a.attempt, a.outcome])).toEqual([['fetch#0', 1, 'cached']]);
    const cached = (await store.listEvents({ runId: second.runId })).filter((e) => e.type === 'step.cached');
    expect(cached.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      {
        stepId: 'fetch#0',
        attempt: 1,
        sourceRunId: first.runId,
        key: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        computedAt: expect.any(Number) as number,
      },
    ]);
    // Replay after the sleep reads the committed step, not the cache: clear it first.
    expect(await store.deleteCacheEntries()).toBe(1);
    await clock.advance(1000);
    expect(await second.result()).toEqual(value);
    expect(bodies()).toEqual([first.runId]);
    expect((await store.listAttempts(second.runId)).map((a) => a.outcome)).toEqual(['cached']);
  });

  it('expires after the ttl, misses on a version bump or another key, and never caches a failure', async () => {
    const { db, counter, bodies } = setup();
    const clock = new ManualClock();
    const failFor = new Set(['boom']);
    let version = 1; // the step's code version, bumped below
    const v1 = defineWorkflow(`cache.v`, async (ctx, input: { q: string }) =>
      ctx.step(
        'answer',
        () => {
          appendFileSync(counter, `${input.q}@${version}\n`);
          if (failFor.has(input.q)) throw Object.assign(new Error('bad request'), { status: 400 });
          return `${input.q}!`;
        },
        { cache: { key: input.q, ttl: '10s', version } },
      ),
    );
    engine = await startEngine({ db, workflows: [v1], clock });
    const run = async (q: string) => {
      const h = await engine!.lifeline.start(v1, { q });
      return h.result().then(
        (v) => v,
        (e: Error) => e.message,
      );
    };
    expect(await run('a')).toBe('a!');
    expect(await run('a')).toBe('a!');
    expect(bodies()).toEqual(['a@1']);
    await clock.advance(10_000 - 1);
    expect(await run('a')).toBe('a!');
    expect(bodies()).toEqual(['a@1']);
    await clock.advance(1); // the ttl has passed
    expect(await run('a')).toBe('a!');
    expect(await run('b')).toBe('b!');
    expect(bodies()).toEqual(['a@1', 'a@1', 'b@1']);

    // A failure is not cached: the next run computes again (and then succeeds and is cached).
    expect(await run('boom')).toMatch(/bad request/);
    failFor.clear();
    expect(await run('boom')).toBe('boom!');
    expect(await run('boom')).toBe('boom!');
    expect(bodies()).toEqual(['a@1', 'a@1', 'b@1', 'boom@1', 'boom@1']);
    await engine.close();

    // Version 2 of the step's code: the results of version 1 are not served.
    version = 2;
    engine = await startEngine({ db, workflows: [v1], clock });
    expect(await run('a')).toBe('a!');
    expect(bodies().slice(-1)).toEqual(['a@2']);
  });

  it('makes a run wanting a key another run is computing wait for it: the body runs once', async () => {
    const { db, counter, bodies } = setup();
    const clock = new ManualClock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const started = new Promise<void>((resolve) => (began = resolve));
    releaseBody = release;
    const wf = defineWorkflow('cache.wait', async (ctx) =>
      ctx.step(
        'slow',
        async ({ runId }) => {
          appendFileSync(counter, `${runId}\n`);
          began();
          await gate;
          return 42;
        },
        { cache: { key: 'the-one', ttl: '1h' } },
      ),
    );
    engine = await startEngine({ db, workflows: [wf], clock });
    const a = await engine.lifeline.start(wf, null);
    await started;
    const b = await engine.lifeline.start(wf, null);
    const deferred = await waitForEvent(engine, (e) => e.type === 'step.deferred' && e.runId === b.runId);
    expect(deferred.type === 'step.deferred' && deferred.data).toEqual({
      stepId: 'slow#0',
      gate: 'cache',
      reason: expect.stringMatching(new RegExp(`^step cache key [0-9a-f]{12} is being computed by run ${a.runId}$`)) as string,
      retryAt: clock.now() + 500,
    });
    expect(await engine.lifeline.store.listAttempts(b.runId)).toEqual([]);
    release();
    expect(await a.result()).toBe(42);
    await clock.advance(500);
    expect(await b.result()).toBe(42);
    expect(bodies()).toEqual([a.runId]);
    expect((await engine.lifeline.store.listAttempts(b.runId)).map((x) => x.outcome)).toEqual(['cached']);
  });

  it('refuses bad cache options with messages naming the field and the bound', async () => {
    const { db } = setup();
    const lifeline = await Lifeline.open({ db });
    const cases: Array<[unknown, string]> = [
      [{ ttl: '1h' }, `Invalid option step "s".cache.key: is required: the JSON value the result depends on, e.g. the step's inputs (got no key)`],
      [{ key: 'k' }, 'Invalid option step "s".cache.ttl: is required: how long a stored result is served, e.g. "1h" (got no ttl)'],
      [{ key: 'k', ttl: 0 }, 'Invalid option step "s".cache.ttl: must be a duration more than 0 and at most 365 days (got 0)'],
      [{ key: 'k', ttl: '400d' }, 'Invalid option step "s".cache.ttl: must be a duration more than 0 and at most 365 days (got "400d")'],
      [{ key: 'k', ttl: '1h', lease: '10ms' }, 'Invalid option step "s".cache.lease: must be a duration from 100 ms to 1 hour (got "10ms")'],
      [{ key: 'k', ttl: '1h', version: true }, 'Invalid option step "s".cache.version: must be a string or a number (got true)'],
      [{ key: 'k', ttl: '1h', keys: 1 }, 'Invalid option step "s".cache.keys: unknown option (known: key, ttl, version, lease)'],
      [
        { key: { at: new Date(0) }, ttl: '1h' },
        'Invalid option step "s".cache.key: must be JSON: strings, finite numbers, booleans, null, arrays and plain objects (got a Date at key.at)',
      ],
      [
        { key: [1, Number.NaN], ttl: '1h' },
        'Invalid option step "s".cache.key: must be JSON: strings, finite numbers, booleans, null, arrays and plain objects (got NaN at key[1])',
      ],
      ['1h', 'Invalid option step "s".cache: must be an object (got string)'],
    ];
    try {
      for (const [cache, message] of cases) {
        const wf = defineWorkflow(`cache.bad.${cases.findIndex((c) => c[0] === cache)}`, async (ctx) => ctx.step('s', () => 1, { cache } as never));
        const worker = lifeline.worker({ pollMs: 5 });
        worker.start();
        const h = await lifeline.start(wf, null);
        await expect(h.result()).rejects.toThrow(message);
        await worker.stop();
      }
    } finally {
      await lifeline.close();
    }
  });
});

describe('step cache on PostgreSQL', () => {
  const pg = usePostgres();

  it('two clients on one schema: the second run hits, the ttl expires on the ManualClock, a failure is not cached', async () => {
    const { store, cleanup } = await pg.openFresh({ leaseClock: 'caller' });
    const clock = new ManualClock();
    let bodies = 0;
    let fail = true;
    const wf = defineWorkflow('cache.pg', async (ctx, input: { q: string }) =>
      ctx.step(
        'answer',
        () => {
          bodies++;
          if (input.q === 'flaky' && fail) throw Object.assign(new Error('bad request'), { status: 400 });
          return `${input.q}!`;
        },
        { cache: { key: input.q, ttl: '5s' } },
      ),
    );
    const clients = [await Lifeline.open({ db: store, workflows: [wf], clock }), await Lifeline.open({ db: store, workflows: [wf], clock })];
    try {
      const run = async (client: Lifeline, q: string) => {
        const worker = client.worker({ pollMs: 5 });
        worker.start();
        const h = await client.start(wf, { q });
        const out = await h.result().catch((e: Error) => e.message);
        await worker.stop();
        return { out, runId: h.runId };
      };
      const first = await run(clients[0]!, 'a');
      const second = await run(clients[1]!, 'a');
      expect([first.out, second.out, bodies]).toEqual(['a!', 'a!', 1]);
      expect((await store.listAttempts(second.runId)).map((a) => a.outcome)).toEqual(['cached']);
      const [cached] = (await store.listEvents({ runId: second.runId })).filter((e) => e.type === 'step.cached');
      expect(JSON.parse(cached!.data)).toMatchObject({ stepId: 'answer#0', sourceRunId: first.runId });
      await clock.advance(5000);
      expect((await run(clients[1]!, 'a')).out).toBe('a!');
      expect(bodies).toBe(2);
      expect((await run(clients[0]!, 'flaky')).out).toMatch(/bad request/);
      fail = false;
      expect((await run(clients[1]!, 'flaky')).out).toBe('flaky!');
      expect(bodies).toBe(4);
    } finally {
      for (const c of clients) await c.close();
      await cleanup();
    }
  });
});
