import type { EscalationLevel } from './loop-options.js';

/** What a guard detected. */
export type LoopKind = 'repeat' | 'same_action_result' | 'same_error' | 'alternation' | 'no_progress';

/** The answer to one check: `ok`, or a loop with what to do about it. */
export type LoopVerdict =
  | { kind: 'ok'; detail: ''; level: null; detections: number }
  | {
      kind: LoopKind;
      /** In words: which loop, over how many checks. */
      detail: string;
      /** The escalation the `detections`-th detection asks for. */
      level: EscalationLevel;
      /** How many checks detected a loop so far (this one included). */
      detections: number;
      /** Text to feed back to the agent. */
      hint: string;
      /** Inside a workflow, a `human` escalation: the signal's payload that resolved it. */
      resolution?: unknown;
    };

/** One check as remembered (and, inside a workflow, recorded): fingerprints only. */
export interface LoopEntry {
  /** Fingerprint of the value. */
  v: string;
  /** Canonical text of the value, kept only when a similarity function is set. */
  t?: string;
  /** Fingerprint of action and value together, when an action was given. */
  a?: string;
  /** Fingerprint of the error, when one was given. */
  e?: string;
  /** Fingerprint of the state, when one was given. */
  s?: string;
}
