// The lifecycle conformance property (see lifecycle.property.test.ts): random sequences of store
// operations on a few runs, each checked against the lifecycle spec (src/store/lifecycle.ts)
// from the state read just before it. After every operation:
// (a) every run's status is the one the spec gives (from -> to of that action, nothing else moved);
// (b) a claim returns exactly the runs the spec's isClaimable selects, by creation, within limit;
// (c) a refused operation is refused with the spec's error (InvalidRunStateError and its reason,
//     LeaseLostError for a fenced write whose token no longer holds the run, RunNotFoundError).
import fc from 'fast-check';
import { expect } from 'vitest';
import { InvalidRunStateError, LeaseLostError, RunNotFoundError } from '../../src/errors/store-errors.js';
import { RewindTargetNotFoundError } from '../../src/errors/rewind-errors.js';
import { decide, isClaimable, isPoison, isTerminal, LEASED, recoveryStatus, releaseStatus } from '../../src/store/lifecycle.js';
import { NOT_ESCALATED, type EscalationAction, type RecoveryStrategy } from '../../src/store/recoveries.js';
import type { Store } from '../../src/store/store.js';
import type { RunRecord, RunStatus } from '../../src/store/types.js';
import { claimArgs, T0, WF } from '../../src/testing/store-conformance/helpers.js';

const MAX_RUNS = 5;
const SIGNAL = 'go';

/** A run index (modulo the runs created), or the run claimed last. */
type Held = number | 'last';

export type Op =
  | { kind: 'create'; parent: number | null }
  | { kind: 'claim'; leaseMs: number; limit: number; maxClaims: number | undefined; only: number | null }
  | { kind: 'heartbeat'; run: Held; stale: boolean; leaseMs: number }
  | { kind: 'release'; run: Held; stale: boolean; to: 'pending' | 'sleeping' | 'waiting'; wakeIn: number | null; onSignal: boolean; onChildren: boolean }
  | { kind: 'finish'; run: Held; stale: boolean; to: 'completed' | 'failed' | 'cancelled' }
  | { kind: 'cancel'; run: number }
  | { kind: 'retry'; run: number }
  | { kind: 'rewind'; run: number }
  | { kind: 'wake'; run: number }
  | { kind: 'signal'; run: number }
  | { kind: 'recover'; run: Held; stale: boolean; strategy: RecoveryStrategy }
  | { kind: 'resolve'; run: number; action: EscalationAction }
  | { kind: 'advance'; ms: number };

const run = fc.nat({ max: MAX_RUNS - 1 });
/** A run for a fenced write: mostly the one claimed last (so the write is mostly accepted). */
const held = fc.oneof({ arbitrary: fc.constant('last' as const), weight: 3 }, { arbitrary: run, weight: 1 });
const stale = fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 });
const ms = fc.constantFrom(0, 1, 500, 1000, 5000);
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), parent: fc.option(run, { nil: null }) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      leaseMs: fc.constantFrom(1, 1000, 3000),
      limit: fc.integer({ min: 1, max: 4 }),
      maxClaims: fc.constantFrom(undefined, 1, 2, 3),
      only: fc.option(run, { nil: null, freq: 4 }),
    }),
    weight: 5,
  },
  fc.record({ kind: fc.constant('heartbeat' as const), run: held, stale, leaseMs: fc.constantFrom(1000, 3000) }),
  {
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      run: held,
      stale,
      to: fc.constantFrom('pending' as const, 'sleeping' as const, 'waiting' as const),
      wakeIn: fc.option(ms, { nil: null }),
      onSignal: fc.boolean(),
      onChildren: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('finish' as const),
      run: held,
      stale,
      to: fc.constantFrom('completed' as const, 'failed' as const, 'cancelled' as const),
    }),
    weight: 2,
  },
  fc.record({ kind: fc.constant('cancel' as const), run }),
  { arbitrary: fc.record({ kind: fc.constant('retry' as const), run }), weight: 2 },
  fc.record({ kind: fc.constant('rewind' as const), run }),
  { arbitrary: fc.record({ kind: fc.constant('wake' as const), run }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('signal' as const), run }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('recover' as const),
      run: held,
      stale,
      strategy: fc.constantFrom<RecoveryStrategy>('resume', 'restart', 'reassign', 'escalate'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('resolve' as const), run, action: fc.constantFrom<EscalationAction>('retry', 'skip', 'cancel') }), weight: 2 },
);

/** A few runs created first, then up to 40 operations of any kind. */
export const sequenceArb: fc.Arbitrary<Op[]> = fc
  .tuple(
    fc.array(fc.constant<Op>({ kind: 'create', parent: null }), { minLength: 1, maxLength: 3 }),
    fc.array(opArb, { minLength: 5, maxLength: 40, size: 'max' }),
  )
  .map(([creates, ops]) => [...creates, ...ops]);

/** What the test remembers between operations; the store's state is always read back. */
interface Memory {
  now: number;
  created: number;
  /** Every lease token each run was given, oldest first. */
  tokens: Map<string, string[]>;
  /** The run a claim returned last. */
  lastClaimed: string;
  /** Runs that were sent the signal (signals are never consumed here). */
  signalled: Set<string>;
  /** Runs with an open escalation not yet resolved (a recovery decision `escalate`). */
  escalated: Set<string>;
}

async function snapshot(store: Store): Promise<Map<string, RunRecord>> {
  return new Map((await store.listRuns({ limit: 100 })).map((r) => [r.id, r]));
}

/** The error a rejected promise rejects with, or undefined when it resolves. */
async function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

/**
 * Checks a store's answer to `action` on `run` against the spec: refused with the spec's error
 * (then null), or accepted without one (then the status the spec moves it to).
 */
function expectSpecAnswer(action: 'retry' | 'signal', run: RunRecord, result: { error?: unknown }, where: string): RunStatus | null {
  let to: RunStatus | null;
  try {
    to = decide(action, run.id, run.status);
  } catch (refusal) {
    expectSameError(result.error, refusal as InvalidRunStateError);
    return null;
  }
  expect(result.error, where).toBeUndefined();
  return to;
}

function expectSameError(actual: unknown, expected: Error): void {
  expect(actual).toBeInstanceOf(expected.constructor);
  expect((actual as Error).message).toBe(expected.message);
}

const statusesOf = (runs: Map<string, RunRecord>) => new Map([...runs].map(([id, r]) => [id, r.status]));

/** Runs one sequence on a fresh store; throws (via expect) at the first disagreement with the spec. */
export async function checkSequence(store: Store, ops: readonly Op[]): Promise<void> {
  const mem: Memory = { now: T0, created: 0, lastClaimed: 'r0', tokens: new Map(), signalled: new Set(), escalated: new Set() };
  for (const [i, op] of ops.entries()) {
    const before = await snapshot(store);
    const expected = statusesOf(before);
    const where = `operation ${i} ${JSON.stringify(op)}`;
    await apply(store, op, mem, before, expected, where);
    const after = await snapshot(store);
    expect(statusesOf(after), `statuses after ${where}`).toEqual(expected);
  }
}

const idOf = (mem: Memory, index: Held) => (index === 'last' ? mem.lastClaimed : `r${index % Math.max(mem.created, 1)}`);

function tokenFor(mem: Memory, runId: string, stale: boolean): string {
  const tokens = mem.tokens.get(runId) ?? [];
  return (stale ? tokens[0] : tokens.at(-1)) ?? 'never-claimed';
}

/** Whether `token` still holds the run: the fence every store applies to release and finish. */
const holds = (run: RunRecord | undefined, token: string) => run?.status === LEASED && run.lease?.token === token;

/** A finished or cancelled child wakes its parent as child_finished says. */
function wakeParent(run: RunRecord, before: Map<string, RunRecord>, expected: Map<string, RunStatus>): void {
  const parent = run.parentRunId === null ? undefined : before.get(run.parentRunId);
  if (parent === undefined) return;
  const to = decide('child_finished', parent.id, parent.status);
  if (to !== null) expected.set(parent.id, to);
}

async function apply(store: Store, op: Op, mem: Memory, before: Map<string, RunRecord>, expected: Map<string, RunStatus>, where: string): Promise<void> {
  const now = mem.now;
  switch (op.kind) {
    case 'advance':
      mem.now += op.ms;
      return;
    case 'create': {
      if (mem.created >= MAX_RUNS) return;
      const id = `r${mem.created}`;
      const parentRunId = op.parent === null || mem.created === 0 ? null : idOf(mem, op.parent);
      const { created } = await store.createRun({ id, workflow: WF, input: '{}', parentRunId, now });
      expect(created, where).toBe(true);
      mem.created++;
      expected.set(id, 'pending');
      return;
    }
    case 'claim': {
      const runId = op.only === null ? undefined : idOf(mem, op.only);
      const claimed = await store.claimRuns(
        claimArgs({ now, leaseMs: op.leaseMs, limit: op.limit, maxClaimsWithoutProgress: op.maxClaims, ...(runId === undefined ? {} : { runId }) }),
      );
      const selectable = [...before.values()]
        .filter((r) => (runId === undefined || r.id === runId) && isClaimable(r, now))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, op.limit);
      expect(
        claimed.map((r) => r.id),
        `claimed by ${where}`,
      ).toEqual(selectable.map((r) => r.id));
      for (const r of selectable) {
        const to = decide(isPoison(r.claimsWithoutProgress, op.maxClaims) ? 'park' : 'claim', r.id, r.status);
        if (to !== null) expected.set(r.id, to);
      }
      for (const r of claimed) {
        if (r.lease === null) continue;
        mem.tokens.set(r.id, [...(mem.tokens.get(r.id) ?? []), r.lease.token]);
        mem.lastClaimed = r.id;
      }
      return;
    }
    case 'heartbeat': {
      const id = idOf(mem, op.run);
      const token = tokenFor(mem, id, op.stale);
      const beat = await store.heartbeat({ runId: id, token, now, leaseMs: op.leaseMs });
      expect(beat.ok, `heartbeat ok, ${where}`).toBe(holds(before.get(id), token));
      return;
    }
    case 'release': {
      const id = idOf(mem, op.run);
      const token = tokenFor(mem, id, op.stale);
      const current = before.get(id);
      const wakeAt = op.to === 'pending' ? null : op.to === 'sleeping' ? now + (op.wakeIn ?? 0) : op.wakeIn === null ? null : now + op.wakeIn;
      const children = [...before.values()].filter((r) => r.parentRunId === id).map((r) => r.id);
      const wakeOn = op.to === 'waiting' ? { signalNames: op.onSignal ? [SIGNAL] : [], childRunIds: op.onChildren ? children : [] } : undefined;
      const result = await outcome(store.releaseRun({ runId: id, token, now, status: op.to, wakeAt, ...(wakeOn ? { wakeOn } : {}) }));
      if (current === undefined || !holds(current, token)) {
        expectSameError(result.error, new LeaseLostError(id));
        return;
      }
      expect(result.error, where).toBeUndefined();
      const due =
        current.cancelRequested ||
        (wakeOn !== undefined && ((op.onSignal && mem.signalled.has(id)) || wakeOn.childRunIds.some((c) => isTerminal(before.get(c)?.status ?? 'pending'))));
      expect(decide(`release_${op.to}`, id, current.status), where).toBe(op.to);
      expected.set(id, releaseStatus(op.to, due && op.to !== 'pending'));
      return;
    }
    case 'finish': {
      const id = idOf(mem, op.run);
      const token = tokenFor(mem, id, op.stale);
      const current = before.get(id);
      const error = op.to === 'failed' ? { name: 'Error', message: 'boom', errorClass: 'logic' as const } : null;
      const result = await outcome(store.finishRun({ runId: id, token, now, status: op.to, output: op.to === 'completed' ? '1' : null, error }));
      if (current === undefined || !holds(current, token)) {
        expectSameError(result.error, new LeaseLostError(id));
        return;
      }
      expect(result.error, where).toBeUndefined();
      expected.set(id, decide(`finish_${op.to}`, id, current.status) ?? current.status);
      wakeParent(current, before, expected);
      mem.escalated.delete(id); // a finished run's decisions are ended
      return;
    }
    case 'recover': {
      const id = idOf(mem, op.run);
      const token = tokenFor(mem, id, op.stale);
      const current = before.get(id);
      const error = { name: 'StepFailedError', message: 'boom', errorClass: 'validation' as const, stepId: 'a#0' };
      const takeOver = { runId: `${id}/reassigned-1`, workflow: WF };
      const result = await outcome(
        store.recoverRun({
          runId: id,
          token,
          now,
          strategy: op.strategy,
          reason: 'model',
          error,
          wakeAt: now + 1000,
          ...(op.strategy === 'reassign' ? { takeOver } : {}),
        }),
      );
      if (current === undefined || !holds(current, token)) {
        expectSameError(result.error, new LeaseLostError(id));
        return;
      }
      expect(result.error, where).toBeUndefined();
      mem.escalated.delete(id); // superseded (or ended by the reassign's finish)
      if (op.strategy === 'reassign') {
        expected.set(id, decide('finish_failed', id, current.status) ?? current.status);
        wakeParent(current, before, expected);
        if (!before.has(takeOver.runId)) expected.set(takeOver.runId, 'pending');
        return;
      }
      const action = op.strategy === 'resume' ? 'recover_resume' : op.strategy === 'restart' ? 'recover_restart' : 'escalate';
      expect(decide(action, id, current.status), where).toBe(recoveryStatus(action, false));
      expected.set(id, recoveryStatus(action, current.cancelRequested));
      if (op.strategy === 'escalate') mem.escalated.add(id);
      return;
    }
    case 'resolve': {
      const id = idOf(mem, op.run);
      const current = before.get(id);
      const result = await outcome(store.resolveEscalation({ runId: id, action: op.action, now }));
      if (current === undefined) return void expect(result.value, where).toBeNull();
      let to: RunStatus | null;
      try {
        to = decide('resolve', id, current.status);
      } catch (refusal) {
        return expectSameError(result.error, refusal as InvalidRunStateError);
      }
      if (!mem.escalated.has(id)) return expectSameError(result.error, new InvalidRunStateError(id, current.status, 'resolve', NOT_ESCALATED));
      expect(result.error, where).toBeUndefined();
      mem.escalated.delete(id);
      if (op.action === 'cancel') {
        to = decide('cancel', id, current.status);
        wakeParent(current, before, expected);
      }
      if (to !== null) expected.set(id, to);
      return;
    }
    case 'cancel': {
      const id = idOf(mem, op.run);
      const current = before.get(id);
      const returned = await store.requestCancel(id, now);
      if (current === undefined) return void expect(returned, where).toBeNull();
      const to = decide('cancel', id, current.status);
      if (to !== null && to !== current.status) {
        expected.set(id, to);
        wakeParent(current, before, expected);
        mem.escalated.delete(id);
      }
      expect(returned?.status, where).toBe(to ?? current.status);
      if (to === current.status) expect(returned?.cancelRequested, `cancel flag, ${where}`).toBe(true);
      return;
    }
    case 'retry': {
      const id = idOf(mem, op.run);
      const current = before.get(id);
      const result = await outcome(store.retryRun(id, now));
      if (current === undefined) return void expect(result.value, where).toBeNull();
      const to = expectSpecAnswer('retry', current, result, where);
      if (to !== null) expected.set(id, to);
      return;
    }
    case 'rewind': {
      // The model's runs have no step results: a run the spec lets rewind is refused for its step
      // (nothing moves); every other status with the spec's reason. The rewind itself is the
      // conformance area `rewind`'s.
      const id = idOf(mem, op.run);
      const current = before.get(id);
      const result = await outcome(store.rewindRun({ runId: id, to: 'a#0', now }));
      if (current === undefined) return void expect(result.value, where).toBeNull();
      let allowed = true;
      try {
        decide('rewind', id, current.status);
      } catch (refusal) {
        allowed = false;
        expectSameError(result.error, refusal as InvalidRunStateError);
      }
      if (allowed) expectSameError(result.error, new RewindTargetNotFoundError(id, 'a#0', []));
      return;
    }
    case 'wake': {
      const id = idOf(mem, op.run);
      const current = before.get(id);
      const returned = await store.wakeRun(id, now);
      if (current === undefined) return void expect(returned, where).toBeNull();
      const to = decide('wake', id, current.status);
      if (to !== null) expected.set(id, to);
      // Woken in place: claimable now (wakeAt = now).
      if (to === current.status) expect(returned?.wakeAt, `wake time, ${where}`).toBe(now);
      return;
    }
    case 'signal': {
      const id = idOf(mem, op.run);
      const current = before.get(id);
      const result = await outcome(store.sendSignal({ runId: id, name: SIGNAL, payload: 'null', now }));
      if (current === undefined) return expectSameError(result.error, new RunNotFoundError(id));
      const to = expectSpecAnswer('signal', current, result, where);
      if (to === null) return;
      mem.signalled.add(id);
      expected.set(id, to);
      return;
    }
  }
}
