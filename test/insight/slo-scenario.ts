// One SLO history, evaluated on SQLite and PostgreSQL (slo.test.ts): a quiet month, a slow burn
// on another workflow (ticket), then an incident (paging). Burn rates are recomputed here
// independently of src/insight/slo.ts, straight from the planned runs.
import { expect } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { checkSlos } from '../../src/insight/slo-check.js';
import type { SloSpec } from '../../src/insight/slo-spec.js';
import type { EngineEvent } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/time/clock.js';
import { writeRuns, type PlannedRun } from './run-history.js';

const M = 60_000;
const H = 60 * M;
export const T0 = 1_700_000_000_000;

export const SLOS: SloSpec[] = [
  { workflow: 'a', success: 0.99, latency: { within: '10m', target: 0.95 } },
  { workflow: 'b', success: 0.99, period: '3d' },
];

/** A month of workflow a (every 3 h, 2 min each, 2 failures), 3 days of b (every 30 min, 6 failures, one 2.5 h ago). */
export function quietHistory(): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (let i = 0; i < 240; i++) {
    const createdAt = T0 - i * 3 * H - 5 * M;
    runs.push({ id: `a-${i}`, workflow: 'a', createdAt, finishedAt: createdAt + 2 * M, status: i > 0 && i % 100 === 0 ? 'failed' : 'completed' });
  }
  for (let i = 0; i < 144; i++) {
    const createdAt = T0 - i * 30 * M - M;
    runs.push({ id: `b-${i}`, workflow: 'b', createdAt, finishedAt: createdAt + 30_000, status: i % 25 === 5 ? 'failed' : 'completed' });
  }
  return runs;
}

/** 36 minutes of incident on a: every other run fails, two take 35 min, one hangs. */
export function incident(): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (let k = 0; k < 12; k++) {
    const createdAt = T0 + k * 3 * M;
    runs.push({ id: `i-${k}`, workflow: 'a', createdAt, finishedAt: createdAt + M, status: k % 2 === 1 ? 'failed' : 'completed' });
  }
  runs.push(
    { id: 'slow-1', workflow: 'a', createdAt: T0 + M, finishedAt: T0 + 36 * M },
    { id: 'slow-2', workflow: 'a', createdAt: T0 + M, finishedAt: T0 + 36 * M },
  );
  runs.push({ id: 'hung', workflow: 'a', createdAt: T0 + 5 * M });
  runs.push({ id: 'cancelled', workflow: 'a', createdAt: T0 + 2 * M, finishedAt: T0 + 35 * M, status: 'cancelled' });
  return runs;
}

/** The burn rate recomputed from the plan: bad share of the runs counted in [now - window, now] over (1 - target). */
export function expectedBurn(
  runs: readonly PlannedRun[],
  workflow: string,
  objective: 'success' | 'latency',
  target: number,
  windowMs: number,
  now: number,
): number {
  let good = 0;
  let bad = 0;
  for (const r of runs.filter((x) => x.workflow === workflow && x.status !== 'cancelled')) {
    let at: number | undefined;
    let isBad = false;
    if (r.finishedAt !== undefined) {
      at = r.finishedAt;
      isBad = r.status === 'failed' || (objective === 'latency' && r.finishedAt - r.createdAt > 10 * M);
    } else if (objective === 'latency' && now - r.createdAt > 10 * M) {
      at = r.createdAt + 10 * M;
      isBad = true;
    }
    if (at === undefined || at < now - windowMs || at > now) continue;
    if (isBad) bad++;
    else good++;
  }
  return good + bad === 0 ? 0 : bad / (good + bad) / (1 - target);
}

const WINDOWS = { '5m': 5 * M, '30m': 30 * M, '1h': H, '6h': 6 * H, '3d': 72 * H };

export async function sloScenario(store: Store): Promise<void> {
  const clock = new ManualClock(T0);
  const lifeline = await Lifeline.open({ db: store, clock, slos: SLOS, workflows: [] });
  const events: EngineEvent[] = [];
  lifeline.events.on('event', (e) => events.push(e));
  const quiet = quietHistory();
  await writeRuns(store, quiet);

  const first = await checkSlos(lifeline);
  expect(first.rows.map((r) => [r.key, r.level, r.changed, r.from])).toEqual([
    ['a:success', 'ok', true, null],
    ['a:latency', 'ok', true, null],
    ['b:success', 'ticket', true, null],
  ]);
  expect(first.paging).toBe(false);
  const a = first.rows[0]!;
  expect([a.good, a.bad]).toEqual([238, 2]);
  expect(a.budgetBad).toBeCloseTo(2.4, 9);
  expect(a.budgetRemaining).toBeCloseTo(1 - 2 / 2.4, 9);
  const b = first.rows[2]!;
  for (const [w, ms] of Object.entries(WINDOWS)) {
    expect(b.burnRates[w as keyof typeof WINDOWS], `b ${w}`).toBeCloseTo(expectedBurn(quiet, 'b', 'success', 0.99, ms, T0), 9);
  }
  expect(b.burnRates['3d']).toBeCloseTo(6 / 144 / 0.01, 9);
  expect(b.reason).toBe('burn rate 4.2 over 3d and 8.3 over 6h, both above 1');
  expect(events.map((e) => [e.type, (e.data as { key: string }).key])).toEqual([
    ['slo.ok', 'a:success'],
    ['slo.ok', 'a:latency'],
    ['slo.ticket', 'b:success'],
  ]);

  // The same state again: nothing is reported twice.
  expect((await checkSlos(lifeline)).rows.map((r) => r.changed)).toEqual([false, false, false]);
  expect(events).toHaveLength(3);

  const all = [...quiet, ...incident()];
  await writeRuns(store, incident());
  await clock.advance(36 * M);
  const now = T0 + 36 * M;
  const during = await checkSlos(lifeline, { workflow: 'a' });
  expect(during.paging).toBe(true);
  expect(during.rows.map((r) => [r.key, r.level, r.from, r.changed])).toEqual([
    ['a:success', 'paging', 'ok', true],
    ['a:latency', 'paging', 'ok', true],
  ]);
  const [success, latency] = during.rows;
  for (const [w, ms] of Object.entries(WINDOWS)) {
    expect(success!.burnRates[w as keyof typeof WINDOWS], `success ${w}`).toBeCloseTo(expectedBurn(all, 'a', 'success', 0.99, ms, now), 9);
    expect(latency!.burnRates[w as keyof typeof WINDOWS], `latency ${w}`).toBeCloseTo(expectedBurn(all, 'a', 'latency', 0.95, ms, now), 9);
  }
  expect(success!.burnRates['1h']).toBeCloseTo(40, 9); // 6 failed of 15 finished in the last hour, over 1%
  expect(success!.reason).toBe('burn rate 40.0 over 1h and 25.0 over 5m, both above 14.4');
  // latency pages on the slower pair: the hung run counts as late from 10 min after its start.
  expect(latency!.reason).toBe('burn rate 10.6 over 6h and 12.3 over 30m, both above 6');
  const paging = events.slice(3);
  expect(paging.map((e) => [e.type, e.data])).toEqual([
    ['slo.paging', expect.objectContaining({ key: 'a:success', from: 'ok', workflow: 'a', objective: 'success' })],
    ['slo.paging', expect.objectContaining({ key: 'a:latency', from: 'ok', workflow: 'a', objective: 'latency' })],
  ]);
  expect((await checkSlos(lifeline, { workflow: 'a' })).rows.map((r) => r.changed)).toEqual([false, false]);
  expect(events).toHaveLength(5);
  expect((await store.listSloStates()).map((s) => [s.key, s.level, s.since])).toEqual([
    ['a:latency', 'paging', now],
    ['a:success', 'paging', now],
    ['b:success', 'ticket', T0],
  ]);
  await lifeline.close();
}
