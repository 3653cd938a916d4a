import { PayloadTooLargeError, SerializationError } from '../errors/payload-errors.js';
import type { Json } from './types.js';

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * What Lifeline stores: JSON values. Plain objects, arrays, strings, finite numbers, booleans
 * and null round-trip exactly; `undefined` at the top level is stored as such; objects with
 * toJSON (Date) are stored as their JSON form, so a Date comes back as its ISO string on both
 * the first execution and on replay. Functions, symbols, BigInt, NaN/Infinity, Map, Set,
 * instances of classes without toJSON (a Response, your own class) and circular references are
 * refused with the path where they were found: silently dropping them would
 * make a replayed run see different data than the first execution did.
 */
export function toJson(value: unknown, what: string, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): Json {
  if (value === undefined) return UNDEFINED_JSON;
  checkSerializable(value, what, '$', new Set());
  const text = JSON.stringify(value);
  // string length is a lower bound of UTF-8 bytes; only count exactly when near the limit.
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) throw new PayloadTooLargeError(what, bytes, maxBytes);
  }
  return text;
}

export function fromJson<T = unknown>(text: Json | null): T {
  if (text === null || text === UNDEFINED_JSON) return undefined as T;
  return JSON.parse(text) as T;
}

/** Marker for a top-level undefined (JSON has no such value). */
const UNDEFINED_JSON = '';

function checkSerializable(value: unknown, what: string, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new SerializationError(what, path, `${value} is not a finite number`);
      return;
    case 'bigint':
      throw new SerializationError(what, path, 'BigInt values are not supported (convert to string or number)');
    case 'function':
      throw new SerializationError(what, path, 'functions cannot be stored');
    case 'symbol':
      throw new SerializationError(what, path, 'symbols cannot be stored');
    case 'undefined':
      return; // inside objects: dropped by JSON, like an absent key; in arrays: becomes null
    case 'object': {
      if (value === null) return;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return;
      if (seen.has(value)) throw new SerializationError(what, path, 'circular reference');
      seen.add(value);
      if (Array.isArray(value)) {
        value.forEach((item, i) => checkSerializable(item, what, `${path}[${i}]`, seen));
      } else {
        if (value instanceof Map || value instanceof Set) {
          throw new SerializationError(what, path, `${value.constructor.name} is not supported (convert to an array or object)`);
        }
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
          throw new SerializationError(
            what,
            path,
            `${typeof name === 'string' && name ? `a ${name}` : 'an object with a prototype'} is not plain data: JSON keeps only its own fields, not its class or methods (return a plain object, e.g. the parsed body of a Response)`,
          );
        }
        for (const key of Object.keys(value)) {
          checkSerializable((value as Record<string, unknown>)[key], what, `${path}.${key}`, seen);
        }
      }
      seen.delete(value);
      return;
    }
  }
}
