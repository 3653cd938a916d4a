import type { Suspension } from '../workflow/step-host.js';

/**
 * What one executing run is doing, as a discriminated union changed only by `reduceExecution`.
 * Once it leaves `running`, no new step starts (new calls park forever and are dropped with
 * the run's memory); steps already in flight are allowed to finish and commit, then the
 * executor acts on the final state.
 */
export type ExecutionState =
  | { kind: 'running' }
  | {
      kind: 'suspending';
      status: 'sleeping' | 'waiting';
      wakeAt: number | null;
      signalNames: string[];
      /** A mailbox read of any name waits too: any signal wakes the run. */
      anySignal: boolean;
      childRunIds: string[];
      deferred: boolean;
    }
  | { kind: 'stopping' } // worker shutdown: give the run back as pending
  | { kind: 'failing'; error: Error } // the store refused a write for good: the run fails with its message
  | { kind: 'cancelling'; reason: unknown }
  | { kind: 'lease_lost' };

export type ExecutionEvent =
  Suspension | { type: 'shutdown' } | { type: 'cancel'; reason: unknown } | { type: 'store_refused'; error: Error } | { type: 'lease_lost' };

const PRIORITY: Record<ExecutionState['kind'], number> = {
  running: 0,
  suspending: 1,
  stopping: 2,
  failing: 3,
  cancelling: 4,
  lease_lost: 5,
};

export function reduceExecution(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  const next = fromEvent(state, event);
  return PRIORITY[next.kind] >= PRIORITY[state.kind] ? next : state;
}

function fromEvent(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  switch (event.type) {
    case 'lease_lost':
      return { kind: 'lease_lost' };
    case 'cancel':
      return { kind: 'cancelling', reason: event.reason };
    case 'shutdown':
      return { kind: 'stopping' };
    case 'store_refused':
      return state.kind === 'failing' ? state : { kind: 'failing', error: event.error };
    case 'sleep':
    case 'wait': {
      const prev = state.kind === 'suspending' ? state : null;
      const waits = event.type === 'wait' || prev?.status === 'waiting';
      return {
        kind: 'suspending',
        status: waits ? 'waiting' : 'sleeping',
        wakeAt: earliest(prev ? prev.wakeAt : null, event.wakeAt, !prev),
        signalNames: event.type === 'wait' ? mergeAll(prev?.signalNames, [event.signalName, ...(event.signalNames ?? [])]) : [...(prev?.signalNames ?? [])],
        anySignal: (prev?.anySignal ?? false) || (event.type === 'wait' && event.anySignal === true),
        childRunIds: merge(prev?.childRunIds, event.type === 'wait' ? event.childRunId : undefined),
        deferred: (prev?.deferred ?? false) || (event.type === 'sleep' && event.deferred === true),
      };
    }
  }
}

/** Earliest of two wake times where null means "no timer". */
function earliest(a: number | null, b: number | null, first: boolean): number | null {
  if (first) return b;
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function merge(list: string[] | undefined, item: string | undefined): string[] {
  const out = [...(list ?? [])];
  if (item !== undefined && !out.includes(item)) out.push(item);
  return out;
}

function mergeAll(list: string[] | undefined, items: ReadonlyArray<string | undefined>): string[] {
  return items.reduce<string[]>((out, item) => merge(out, item), [...(list ?? [])]);
}
