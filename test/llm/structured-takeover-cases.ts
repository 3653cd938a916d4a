// A structured step taken over mid-loop: worker A's first try fails the schema (recorded as an
// attempt of class validation), its second try hangs at the server and A stops heartbeating (its
// ManualClock never moves). Worker B takes the run over on its own clock: its first request is
// the re-ask with try 1's recorded feedback, never a fresh first ask. HTTP calls are counted at
// the server: try 1 is paid once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { structuredStep } from '../../src/llm/structured.js';
import { closeOnClocks } from '../helpers.js';
import type { TakeoverBackend } from '../engine/fallback-takeover-cases.js';
import { startProviderServer, type ProviderServer } from './provider-server.js';
import { Order, openaiGenerate, userMessages } from './structured-kit.js';

const LEASE_MS = 3000;

export function structuredTakeoverCases(name: string, backend: TakeoverBackend): void {
  let server: ProviderServer;

  beforeAll(async () => {
    server = await startProviderServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it(`${name}: continues after a takeover with the feedback of the last recorded try, never repeating it`, async () => {
    const wf = defineWorkflow(`structured.takeover.${name}`, async (ctx) =>
      structuredStep(ctx, 'order', { schema: Order, generate: openaiGenerate(server), maxReasks: 3 }),
    );
    const { dbA, dbB, cleanup } = await backend.open();
    const clockA = new ManualClock();
    const clockB = new ManualClock();
    const a = await Lifeline.open({ db: dbA, workflows: [wf], clock: clockA });
    const b = await Lifeline.open({ db: dbB, workflows: [wf], clock: clockB });
    try {
      server.reply(
        { content: '{"customer": "Ada", "items": [{"name": "tea", "price": "3"}]}' },
        { hang: true },
        { content: '{"customer": "Ada", "items": [{"name": "tea", "price": 3}]}' },
      );
      a.worker({ host: 'host-a', pid: 1_234_567, leaseMs: LEASE_MS, heartbeatMs: 1000 }).start();
      const { runId } = await a.start(wf, null, { runId: `structured-takeover-${name}` });
      // Bounded by turns, not time: each advance lets I/O run; a loaded machine needs more turns.
      for (let i = 0; i < 5000 && server.requests.length < 2; i++) await clockA.advance(0);
      expect(server.requests).toHaveLength(2); // A's second try is in, and hangs
      const feedback =
        'Your previous answer was rejected: the JSON does not match the schema (1 issue)\n' +
        '- items[0].price: Invalid input: expected number, received string\n' +
        'Answer again with only the corrected JSON.';
      expect(userMessages(server.requests[1])[1]).toBe(feedback);

      await clockB.advance(LEASE_MS + 1); // A's lease has lapsed on B's clock; A never heartbeats again
      b.worker({ host: 'host-b', leaseMs: LEASE_MS, heartbeatMs: 1000 }).start();
      for (let i = 0; i < 5000 && (await b.getRun(runId))?.status !== 'completed'; i++) await clockB.advance(0);
      expect(await b.getRun(runId)).toMatchObject({ status: 'completed', output: { customer: 'Ada', items: [{ name: 'tea', price: 3 }] } });
      // B's only call is the re-ask with try 1's feedback: try 1 is not asked again.
      expect(server.requests).toHaveLength(3);
      expect(userMessages(server.requests[2])).toEqual([userMessages(server.requests[0])[0], feedback]);
      const rows = (await b.store.listAttempts(runId)).map((x) => [x.attempt, x.outcome, x.errorClass]);
      expect(rows).toEqual([
        [1, 'failed', 'validation'],
        [2, 'interrupted', 'interrupted'],
        [3, 'succeeded', null],
      ]);
    } finally {
      await closeOnClocks([
        [a, clockA],
        [b, clockB],
      ]);
      await cleanup();
    }
  });
}
