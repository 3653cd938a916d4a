/**
 * What a value becomes after Lifeline stores it as JSON and reads it back: a step's result has
 * this type on the first execution and on replay alike (the engine returns the stored form both
 * times). A Date (anything with toJSON) becomes what toJSON returns (an ISO string); undefined
 * and functions inside arrays become null; undefined object properties are dropped. Values
 * Lifeline refuses at runtime (functions, symbols, BigInt, Map, Set, class instances without
 * toJSON) map to `never`, so using one is a type error where it is returned.
 * See docs/decisions/2026-11-29-step-results-are-json.md.
 */
export type Jsonify<T> = unknown extends T
  ? T
  : T extends { toJSON(...args: never[]): infer J }
    ? Jsonify<J>
    : T extends string | number | boolean | null | undefined
      ? T
      : T extends bigint | symbol | ((...args: never[]) => unknown) | ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>
        ? never
        : T extends readonly unknown[]
          ? { [K in keyof T]: T[K] extends undefined | ((...args: never[]) => unknown) ? null : Jsonify<T[K]> }
          : T extends object
            ? { [K in keyof T as K extends string ? K : never]: Jsonify<T[K]> }
            : never;
