// listRunTimes, setSloState, listSloStates, addFix, listFixes (store/insight-records.ts): the
// runs an SLO counts, an alert transition reported once however many evaluate it, and fixes.
// Fix records need failed attempts with a fingerprint, which the engine writes (issue 10 §1);
// the backend tests in test/insight/ cover those with planted fingerprints.
import { describe, expect, it } from 'vitest';
import { T0, createClaimed, createRun, tokenOf, type GetStore } from './helpers.js';

export function insightRecordsConformance(getStore: GetStore): void {
  describe('insight records (SLO alert states, fixes, run times)', () => {
    it('listRunTimes: terminal runs finished since the time, every run not terminal, by id; filtered by workflow', async () => {
      const store = getStore();
      const old = await createClaimed(store, 'a-old');
      await store.finishRun({ runId: old.id, token: tokenOf(old), now: T0 + 10, status: 'completed', output: 'null' });
      const late = await createClaimed(store, 'b-late');
      await store.finishRun({
        runId: late.id,
        token: tokenOf(late),
        now: T0 + 1000,
        status: 'failed',
        error: { name: 'E', message: 'x', errorClass: 'logic' },
      });
      await createRun(store, 'c-pending', { now: T0 });
      await createRun(store, 'd-other', { now: T0, workflow: 'other-wf' });
      const times = await store.listRunTimes({ since: T0 + 500 });
      expect(times.map((t) => [t.id, t.status])).toEqual([
        ['b-late', 'failed'],
        ['c-pending', 'pending'],
        ['d-other', 'pending'],
      ]);
      expect(times[0]).toMatchObject({ createdAt: T0, updatedAt: T0 + 1000 });
      expect((await store.listRunTimes({ since: T0, workflow: 'other-wf' })).map((t) => t.id)).toEqual(['d-other']);
    });

    it('setSloState: the first level and every change are reported as changed, a repeat is not and keeps its since', async () => {
      const store = getStore();
      const first = await store.setSloState({ key: 'wf:success', level: 'ok', detail: 'burn 0', now: T0 });
      expect(first).toMatchObject({ previous: null, changed: true, current: { level: 'ok', since: T0 } });
      const paging = await store.setSloState({ key: 'wf:success', level: 'paging', detail: 'burn 20', now: T0 + 10 });
      expect(paging).toMatchObject({ previous: { level: 'ok', since: T0 }, changed: true, current: { level: 'paging', since: T0 + 10 } });
      const again = await store.setSloState({ key: 'wf:success', level: 'paging', detail: 'burn 21', now: T0 + 20 });
      expect(again).toMatchObject({ changed: false, current: { level: 'paging', since: T0 + 10, detail: 'burn 21', updatedAt: T0 + 20 } });
      expect(await store.listSloStates()).toEqual([again.current]);
    });

    it('setSloState: of 10 concurrent evaluations seeing one transition exactly one is told it changed', async () => {
      const store = getStore();
      await store.setSloState({ key: 'k', level: 'ok', detail: '', now: T0 });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.setSloState({ key: 'k', level: 'paging', detail: `${i}`, now: T0 + 1 })));
      expect(results.filter((r) => r.changed)).toHaveLength(1);
    });

    it('addFix: a fingerprint no attempt has records nothing (null); listFixes is empty', async () => {
      const store = getStore();
      expect(await store.addFix({ fingerprint: 'no-such', note: 'n', now: T0 })).toBeNull();
      expect(await store.listFixes()).toEqual([]);
    });
  });
}
