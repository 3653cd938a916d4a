// The admission seam in front of every attempt of a step: shared circuit breakers, concurrency
// slots and rate limits across workers plug in here. A gate that says "not now" defers the step:
// the run gives up its lease and sleeps until the gate's time, holding no worker slot and
// burning no attempt (no attempt row is written, the attempt number is not used).
import type { Classification } from '../policy/index.js';
import { InvalidOptionsError } from '../errors/options-error.js';
import type { StepOptions, StepUsage } from '../workflow/context.js';

/** One attempt of one step, about to start. */
export interface GateRequest {
  readonly runId: string;
  readonly workflow: string;
  readonly stepId: string;
  readonly stepName: string;
  readonly attempt: number;
  readonly workerId: string;
  readonly now: number;
  readonly options: StepOptions;
  /** In a fallback chain (ctx.fallback): the alternative about to be tried. */
  readonly alternative?: string;
}

/** How the admitted attempt ended: a gate counts it (a breaker's window) or frees what it holds (a slot); `usage` as the body reported it. */
export type GateOutcome =
  | { kind: 'succeeded'; durationMs: number; usage?: StepUsage }
  | { kind: 'failed'; durationMs: number; classification: Classification; usage?: StepUsage }
  /** The attempt did not run to an outcome (cancelled, interrupted, lease lost, not started): count nothing. */
  | { kind: 'abandoned' };

export type Admission =
  | {
      admitted: true;
      /**
       * Called exactly once with the attempt's outcome. The engine waits for a failure's settle
       * before it retries (so a breaker has counted the failure before the retry asks again), and
       * does not wait for any other outcome's.
       */
      settle?(outcome: GateOutcome): void | Promise<void>;
    }
  | {
      admitted: false;
      /** Which gate refused (e.g. `breaker:openai`), for the event and `show`. */
      gate: string;
      /** Why, for people: "circuit open after 5 failures of 10 calls". */
      reason: string;
      /** When the step may be tried again (epoch ms): the run sleeps until then. */
      retryAt: number;
    };

/** Decides whether an attempt may start now. Gates only see steps whose options concern them. */
export interface StepGate {
  readonly name: string;
  /** Throwing fails the attempt with that error (classified and retried as any step error). */
  admit(request: GateRequest): Admission | Promise<Admission>;
}

// The gates of each Lifeline client, kept off its public surface: breaker and limit options add
// theirs when the client opens, and every worker the client makes asks them (same array).
const GATES = new WeakMap<object, StepGate[]>();

/** The step gates of a Lifeline client (the live array its workers use). */
export function stepGatesOf(lifeline: object): StepGate[] {
  let gates = GATES.get(lifeline);
  if (!gates) GATES.set(lifeline, (gates = []));
  return gates;
}

const ADMITTED: Admission = Object.freeze({ admitted: true });

/**
 * A step that names limit keys or a breaker on a Lifeline without `limits` / `breakers` would
 * run unlimited or unprotected, silently: refused instead (class configuration), before anything
 * runs. (A CLI worker takes both from the workflow file's exports.)
 */
export function assertGatesConfigured(gates: readonly StepGate[] | undefined, request: Pick<GateRequest, 'options' | 'stepName'>): void {
  const { limits, breaker } = request.options;
  const has = (name: string) => gates?.some((g) => g.name === name) === true;
  if (limits !== undefined && limits.length > 0 && !has('limits')) {
    throw new InvalidOptionsError(
      `Invalid option step "${request.stepName}".limits: this Lifeline has no limits configured (pass Lifeline.open({ limits: { ${JSON.stringify(limits[0])}: { ... } } }))`,
    );
  }
  if (breaker !== undefined && !has('breakers')) {
    throw new InvalidOptionsError(
      `Invalid option step "${request.stepName}".breaker: this Lifeline has no breakers configured (pass Lifeline.open({ breakers: { ${JSON.stringify(breaker)}: { ... } } }))`,
    );
  }
}

/**
 * Asks every gate in order. The first refusal wins, and the gates that admitted before it are
 * settled as abandoned (their slot is freed). With no gates this costs nothing.
 */
export async function admitAll(gates: readonly StepGate[], request: GateRequest): Promise<Admission> {
  if (gates.length === 0) return ADMITTED;
  const admitted: Array<Extract<Admission, { admitted: true }>> = [];
  for (const gate of gates) {
    let admission: Admission;
    try {
      admission = await gate.admit(request);
    } catch (error) {
      void settleAll(admitted, { kind: 'abandoned' });
      throw error;
    }
    if (!admission.admitted) {
      void settleAll(admitted, { kind: 'abandoned' });
      return admission;
    }
    admitted.push(admission);
  }
  if (admitted.every((a) => a.settle === undefined)) return ADMITTED;
  return { admitted: true, settle: (outcome) => settleAll(admitted, outcome) };
}

/** Settles every admission; resolves when all did. Never rejects. */
function settleAll(admitted: ReadonlyArray<Extract<Admission, { admitted: true }>>, outcome: GateOutcome): Promise<void> {
  return Promise.all(
    admitted.map(async (a) => {
      try {
        await a.settle?.(outcome);
      } catch {
        // A gate's bookkeeping failing must not change the step's outcome; gates report their own errors.
      }
    }),
  ).then(() => undefined);
}
