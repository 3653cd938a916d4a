import { InvalidOptionsError } from '../errors/options-error.js';

/**
 * The one place every public option is checked (Lifeline.open, start, worker, defineWorkflow,
 * ctx.step, retry, openStore), so every problem produces the same message shape:
 * `Invalid option <where>.<field>: <problem> (got <value>)`, and a misspelt field
 * `Invalid option <where>.<field>: unknown option (known: ...)`. The per-API field lists are in
 * public-options.ts.
 */

export interface NumberBounds {
  min: number;
  max: number;
  integer: boolean;
}

export function optionError(path: string, problem: string): InvalidOptionsError {
  return new InvalidOptionsError(`Invalid option ${path}: ${problem}`);
}

/** The bad value as the user would have written it: JSON where possible, else its type. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return String(value); // keeps NaN and Infinity readable; JSON would say null
    case 'bigint':
      return `${value}n`;
    case 'undefined':
    case 'symbol':
    case 'function':
      return typeof value;
    default:
      try {
        const json = JSON.stringify(value);
        return json.length > 60 ? `${json.slice(0, 57)}...` : json;
      } catch {
        return typeof value;
      }
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

export function checkNumber(value: unknown, path: string, bounds: NumberBounds): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= bounds.min && value <= bounds.max && (!bounds.integer || Number.isInteger(value));
  if (!ok) {
    const what = bounds.integer ? 'an integer' : 'a number';
    throw optionError(path, `must be ${what} from ${bounds.min} to ${bounds.max} (got ${describeValue(value)})`);
  }
  return value;
}

export function checkObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw optionError(path, `must be an object (got ${kindOf(value)})`);
  }
  return value as Record<string, unknown>;
}

/** Rejects misspelt keys: a silently ignored `maxAttemps` would retry with the default. */
export function checkKnownKeys(value: Record<string, unknown>, path: string, known: readonly string[], what = 'option'): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw optionError(`${path}.${key}`, `unknown ${what} (known: ${known.join(', ')})`);
  }
}

export function checkOneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const list = allowed.map((a) => `"${a}"`);
  const text = list.length === 2 ? `${list[0]} or ${list[1]}` : `one of ${list.join(', ')}`;
  throw optionError(path, `must be ${text} (got ${describeValue(value)})`);
}

export function checkBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  throw optionError(path, `must be true or false (got ${describeValue(value)})`);
}

/** `max >= min` across two options, naming both so the user knows which pair conflicts. */
export function checkOrdered(min: { path: string; value: number }, max: { path: string; value: number }): void {
  if (max.value < min.value) throw optionError(max.path, `must be >= ${min.path} (got ${max.value} < ${min.value})`);
}

/** Checks one field's value; `path` is `<where>.<field>`. */
export type FieldCheck = (value: unknown, path: string) => void;

/**
 * An options object: an object (or undefined), no unknown field, each field that is set passing
 * its check. The field list is the single source of the known names.
 */
export function checkOptions(value: unknown, where: string, fields: Readonly<Record<string, FieldCheck>>): Record<string, unknown> {
  if (value === undefined) return {};
  const o = checkObject(value, where);
  checkKnownKeys(o, where, Object.keys(fields));
  for (const [key, check] of Object.entries(fields)) {
    if (o[key] !== undefined) check(o[key], `${where}.${key}`);
  }
  return o;
}

export function checkString(value: unknown, path: string, maxLength: number): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= maxLength && !value.includes('\0')) return value;
  throw optionError(path, `must be a non-empty string of at most ${maxLength} characters without NUL (got ${describeValue(value)})`);
}

export function checkFunction(value: unknown, path: string): void {
  if (typeof value !== 'function') throw optionError(path, `must be a function (got ${kindOf(value)})`);
}

export function checkArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw optionError(path, `must be an array (got ${kindOf(value)})`);
  return value as unknown[];
}

/** An object whose methods `methods` are functions (a Store, a Clock, a zod schema). */
export function checkHasMethods(value: unknown, path: string, methods: readonly string[], what: string): void {
  const o = value as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || methods.some((m) => typeof o[m] !== 'function')) {
    throw optionError(path, `must be ${what} (an object with ${methods.join(', ')}) (got ${kindOf(value)})`);
  }
}
