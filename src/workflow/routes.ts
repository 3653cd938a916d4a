// Failure routing (issue 8 §9): a step that fails for good with a matching class or message runs a
// helper step (e.g. a `data_helper` that fetches what was missing), then is tried again as a step
// of its own that sees the helper's output (`info.routed`); at most `maxRoutes` times per route.
// A composition of ctx.step: the failed original, the helper and the retry are each a step with
// its own record (name#occurrence), so replay takes the same path from the recorded failures.
import type { ErrorClass } from '../errors/error-class.js';
import { StepFailedError } from '../errors/workflow-errors.js';
import type { StepInfo, StepOptions } from './context.js';
import type { Jsonify } from './jsonify.js';

/** The final failure a route matched. */
export interface RouteFailure {
  stepId: string;
  errorClass: ErrorClass;
  /** The last attempt's message (redacted, as stored). */
  message: string;
  /** 1 for the first route taken by this step call, 2 for the next... */
  route: number;
}

/** What the retried step sees in `info.routed`. */
export interface RoutedInput {
  helper: string;
  /** The helper step's result, as stored (JSON). */
  output: unknown;
  failure: RouteFailure;
}

export interface StepRoute {
  /** Matches when every condition given holds: the class (one or a list) and the message (a RegExp, or a substring). */
  when: { errorClass?: ErrorClass | readonly ErrorClass[]; message?: RegExp | string };
  /** The helper: a step of its own named `name`, run with the failure. */
  helper: { name: string; run: (failure: RouteFailure, info: StepInfo) => unknown };
  /** How many times this route may be taken per step call (default 1). */
  maxRoutes?: number;
}

/** What routing needs from the workflow context. */
export interface RouteHost {
  step<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions<T>): Promise<Jsonify<T>>;
  /** The step id the next call of `name` gets, and whether that step is already committed (replay). */
  nextStep(name: string): { stepId: string; committed: boolean };
  /** Records (soft) and publishes the `step.routed` event. */
  routed(data: { stepId: string; helper: string; retryStepId: string; route: number; errorClass: ErrorClass; message: string }): void;
}

export function routeMatches(when: StepRoute['when'], failure: Pick<RouteFailure, 'errorClass' | 'message'>): boolean {
  if (when.errorClass !== undefined) {
    const classes: readonly ErrorClass[] = typeof when.errorClass === 'string' ? [when.errorClass] : when.errorClass;
    if (!classes.includes(failure.errorClass)) return false;
  }
  if (when.message instanceof RegExp) return new RegExp(when.message.source, when.message.flags.replace('g', '')).test(failure.message);
  if (typeof when.message === 'string') return failure.message.includes(when.message);
  return true;
}

/** ctx.step with `routes` (already checked): the original, then helper + retry for each route taken. */
export async function routedStep<T>(host: RouteHost, name: string, fn: (info: StepInfo) => Promise<T> | T, options: StepOptions<T>): Promise<Jsonify<T>> {
  const { routes = [], ...plain } = options;
  const taken = routes.map(() => 0);
  let routed: RoutedInput | undefined;
  for (let route = 1; ; route++) {
    const input = routed;
    try {
      return await host.step(name, (info) => fn(input === undefined ? info : { ...info, routed: input }), plain);
    } catch (error) {
      if (!(error instanceof StepFailedError)) throw error;
      const failure: RouteFailure = { stepId: error.stepId, errorClass: error.errorClass, message: error.lastMessage, route };
      const i = routes.findIndex((r, k) => (taken[k] ?? 0) < (r.maxRoutes ?? 1) && routeMatches(r.when, failure));
      const chosen = routes[i];
      if (chosen === undefined) throw error;
      taken[i] = (taken[i] ?? 0) + 1;
      const helper = host.nextStep(chosen.helper.name);
      if (!helper.committed) {
        // The retry's id: the helper's call comes first but takes another name's occurrence.
        const retryStepId = host.nextStep(name).stepId;
        host.routed({ stepId: failure.stepId, helper: helper.stepId, retryStepId, route, errorClass: failure.errorClass, message: failure.message });
      }
      const output = await host.step(chosen.helper.name, (info) => chosen.helper.run(failure, info));
      routed = { helper: helper.stepId, output, failure };
    }
  }
}
