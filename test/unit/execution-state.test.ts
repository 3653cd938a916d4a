import { describe, expect, it } from 'vitest';
import { reduceExecution, type ExecutionState } from '../../src/engine/execution-state.js';

const running: ExecutionState = { kind: 'running' };

describe('execution state machine', () => {
  it('a sleep suspends with its wake time', () => {
    expect(reduceExecution(running, { type: 'sleep', wakeAt: 100 })).toEqual({
      kind: 'suspending',
      status: 'sleeping',
      wakeAt: 100,
      signalNames: [],
      anySignal: false,
      childRunIds: [],
      deferred: false,
    });
  });

  it('a deferral (a step gate said "not now") is a sleep marked deferred, and stays marked when merged', () => {
    const s = reduceExecution(running, { type: 'sleep', wakeAt: 100, deferred: true });
    expect(s).toMatchObject({ kind: 'suspending', status: 'sleeping', wakeAt: 100, deferred: true });
    expect(reduceExecution(s, { type: 'sleep', wakeAt: 50 })).toMatchObject({ wakeAt: 50, deferred: true });
  });

  it('parallel suspensions merge: waiting dominates, earliest timer wins, waits accumulate', () => {
    let s = reduceExecution(running, { type: 'sleep', wakeAt: 500 });
    s = reduceExecution(s, { type: 'wait', wakeAt: null, signalName: 'approve' });
    s = reduceExecution(s, { type: 'wait', wakeAt: 300, childRunId: 'c1' });
    expect(s).toEqual({ kind: 'suspending', status: 'waiting', wakeAt: 300, signalNames: ['approve'], anySignal: false, childRunIds: ['c1'], deferred: false });
  });

  it('a mailbox read merges its names, and a read of any name makes any signal wake the run', () => {
    let s = reduceExecution(running, { type: 'wait', wakeAt: null, signalName: 'approve' });
    s = reduceExecution(s, { type: 'wait', wakeAt: null, signalNames: ['a', 'approve'] });
    expect(s).toMatchObject({ status: 'waiting', signalNames: ['approve', 'a'], anySignal: false });
    expect(reduceExecution(s, { type: 'wait', wakeAt: 10, anySignal: true })).toMatchObject({ signalNames: ['approve', 'a'], anySignal: true, wakeAt: 10 });
  });

  it('a wait without timeout keeps no timer until something with a timer joins', () => {
    const s = reduceExecution(running, { type: 'wait', wakeAt: null, signalName: 'x' });
    expect(s).toMatchObject({ wakeAt: null });
    expect(reduceExecution(s, { type: 'sleep', wakeAt: 42 })).toMatchObject({ status: 'waiting', wakeAt: 42 });
  });

  it('cancel beats suspend and shutdown; lease loss beats everything; nothing goes back', () => {
    const suspended = reduceExecution(running, { type: 'sleep', wakeAt: 1 });
    const cancelling = reduceExecution(suspended, { type: 'cancel', reason: 'x' });
    expect(cancelling.kind).toBe('cancelling');
    expect(reduceExecution(cancelling, { type: 'shutdown' }).kind).toBe('cancelling');
    expect(reduceExecution(cancelling, { type: 'sleep', wakeAt: 5 }).kind).toBe('cancelling');
    expect(reduceExecution(cancelling, { type: 'lease_lost' }).kind).toBe('lease_lost');
    expect(reduceExecution({ kind: 'lease_lost' }, { type: 'cancel', reason: 1 }).kind).toBe('lease_lost');
    expect(reduceExecution(reduceExecution(running, { type: 'shutdown' }), { type: 'sleep', wakeAt: 1 }).kind).toBe('stopping');
  });

  it('a refused store write (failing) beats suspend and shutdown, keeps its first error, yields to cancel and lease loss', () => {
    const first = new Error('first refusal');
    const failing = reduceExecution(reduceExecution(running, { type: 'shutdown' }), { type: 'store_refused', error: first });
    expect(failing).toEqual({ kind: 'failing', error: first });
    expect(reduceExecution(failing, { type: 'store_refused', error: new Error('second') })).toEqual({ kind: 'failing', error: first });
    expect(reduceExecution(failing, { type: 'sleep', wakeAt: 1 }).kind).toBe('failing');
    expect(reduceExecution(failing, { type: 'shutdown' }).kind).toBe('failing');
    expect(reduceExecution(failing, { type: 'cancel', reason: 'x' }).kind).toBe('cancelling');
    expect(reduceExecution(failing, { type: 'lease_lost' }).kind).toBe('lease_lost');
  });
});
