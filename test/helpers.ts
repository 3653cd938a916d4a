import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lifeline, type LifelineOptions } from '../src/engine/lifeline.js';
import type { Worker } from '../src/engine/worker-api.js';
import type { WorkerOptions } from '../src/options/public-options.js';
import type { EngineEvent } from '../src/engine/lifeline.js';
import type { ManualClock } from '../src/time/clock.js';

export function tempDir(prefix = 'lifeline-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestEngine {
  lifeline: Lifeline;
  worker: Worker;
  db: string;
  events: EngineEvent[];
  close: () => Promise<void>;
}

/** A Lifeline on a fresh SQLite file with one started worker; `close` removes everything. */
export async function startEngine(options: Omit<LifelineOptions, 'db'> & { db?: string; worker?: WorkerOptions } = {}): Promise<TestEngine> {
  const tmp = options.db ? null : tempDir();
  const db = options.db ?? join(tmp!.dir, 'test.db');
  const { worker: workerOptions, ...openOptions } = options;
  const lifeline = await Lifeline.open({ ...openOptions, db });
  const events: EngineEvent[] = [];
  lifeline.events.on('event', (e) => events.push(e));
  const worker = lifeline.worker({ pollMs: 20, ...workerOptions });
  worker.start();
  return {
    lifeline,
    worker,
    db,
    events,
    close: async () => {
      await lifeline.close();
      tmp?.cleanup();
    },
  };
}

/** Resolves when an event matching `predicate` is published (already-seen events count). */
export function waitForEvent(engine: TestEngine, predicate: (e: EngineEvent) => boolean): Promise<EngineEvent> {
  const seen = engine.events.find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const on = (e: EngineEvent) => {
      if (predicate(e)) {
        engine.lifeline.events.off('event', on);
        resolve(e);
      }
    };
    engine.lifeline.events.on('event', on);
  });
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). Crash and chaos schedules come from it. */
export { mulberry32 } from '../src/testing/random.js';

/**
 * Closes clients that run on manual clocks, one after the other: each clock is advanced while its
 * client closes, so the worker's shutdown grace and the steps it waits for can run out.
 */
export async function closeOnClocks(clients: ReadonlyArray<readonly [Lifeline, ManualClock]>): Promise<void> {
  for (const [lifeline, clock] of clients) {
    const closing = lifeline.close();
    for (let i = 0; i < 5; i++) await clock.advance(60_000);
    await closing;
  }
}
