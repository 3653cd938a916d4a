// What a store writes when a claim parks a poison run (see Store.claimRuns): the same reason
// and event on every backend, so `lifeline show` reads the same whichever database holds the run.
import type { StoredError } from './types.js';

/** The run's error while it is parked: why, and how to get it going again. */
export function parkedError(claims: number): StoredError {
  return {
    name: 'RunParkedError',
    // Its claims were cut short again and again (a crash, an abandoned commit): each attempt row
    // says how; the name RunParkedError marks the parking reason.
    errorClass: 'interrupted',
    message:
      `Run parked: claimed ${claims} times in a row without committing a step (its step, or the commit of its result, ` +
      `fails the same way every time, or the worker dies running it). Its attempts and events tell why; ` +
      `fix the cause, then resume it (lifeline resume RUN).`,
  };
}

export const PARKED_EVENT = 'run.parked';
