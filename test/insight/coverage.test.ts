// coverage(): what the steps of a window ran with, from a real engine's step records, against
// the figures this test derives from the steps' own options.
import { afterEach, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { coverage } from '../../src/insight/coverage.js';
import { insightWindow } from '../../src/insight/window.js';
import { startEngine, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

it('lists steps without timeout or retries, side effects without their key, workflows without an SLO, and the score with its parts', async () => {
  const orders = defineWorkflow('cov.orders', async (ctx, useKey: boolean) => {
    await ctx.step('load', () => 1, { retry: { maxAttempts: 1 } }); // no timeout, no retries
    await ctx.step('charge', (info) => (useKey ? info.idempotencyKey : 'no key'), { sideEffect: true, timeout: '5s' });
    return 'ok';
  });
  const mail = defineWorkflow('cov.mail', async (ctx) => ctx.step('send', () => 1, { timeout: '1s', sideEffect: true, retry: { maxAttempts: 1 } }));
  engine = await startEngine({ workflows: [orders, mail] });
  for (const input of [true, false, true]) expect(await (await engine.lifeline.start(orders, input)).result()).toBe('ok');
  expect(await (await engine.lifeline.start(mail, null)).result()).toBe(1);

  const window = insightWindow({ since: '1h' }, Date.now() + 1);
  const report = await coverage(engine.lifeline, window, { workflowsWithSlo: ['cov.orders'] });
  expect(report.withoutTimeout).toEqual([{ workflow: 'cov.orders', step: 'load', runs: 3, without: 3 }]);
  expect(report.withoutRetries).toEqual([
    { workflow: 'cov.orders', step: 'load', runs: 3, without: 3 },
    { workflow: 'cov.mail', step: 'send', runs: 1, without: 1 },
  ]);
  expect(report.sideEffectsWithoutKey).toEqual([
    { workflow: 'cov.mail', step: 'send', runs: 1, without: 1 },
    { workflow: 'cov.orders', step: 'charge', runs: 3, without: 1 },
  ]);
  expect(report.workflowsWithoutSlo).toEqual(['cov.mail']);
  // 3 distinct steps; 2 with timeouts always, 1 with retries always; 1 of 2 workflows with an SLO; 0 of 2 side effects always keyed.
  expect(report.parts.map((p) => [p.name, p.covered, p.total])).toEqual([
    ['timeouts', 2, 3],
    ['retries', 1, 3],
    ['slos', 1, 2],
    ['idempotency', 0, 2],
  ]);
  expect(report.score).toBe(Math.round(((2 / 3 + 1 / 3 + 1 / 2 + 0) / 4) * 100));
  // One workflow only.
  const mailOnly = await coverage(engine.lifeline.store, { ...window, workflow: 'cov.mail' });
  expect(mailOnly.steps).toBe(1);
  expect(mailOnly.parts.find((p) => p.name === 'slos')).toEqual({ name: 'slos', description: 'workflows with an SLO', covered: 0, total: 1, ratio: 0 });
});

it('has no score when nothing ran in the window', async () => {
  engine = await startEngine({ workflows: [] });
  const report = await coverage(engine.lifeline, insightWindow({}, Date.now()));
  expect(report.score).toBeNull();
  expect(report.parts.every((p) => p.ratio === null && p.total === 0)).toBe(true);
});
