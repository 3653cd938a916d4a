// What a loop guard compares: a value reduced to what the agent actually said or did. Ids,
// UUIDs, hex digests, timestamps and id-like numbers change on every call without meaning
// anything, so they are stripped before the value is written as canonical JSON (keys sorted)
// and hashed with SHA-256.
import { createHash } from 'node:crypto';

// Candidates in one pass: a whole token of hex digits and dashes holding a digit (with an
// optional 0x before it and a clock time after it); each is then told apart by anchored tests: a
// UUID, an ISO date or time, a hex digest (8+ characters with a letter: plain words like
// "deadface" have no digit and never reach the tests), or a number of 6+ digits. Anything else
// (a phone number, "2-3") stays as it was.
const CANDIDATE =
  /(?<![0-9A-Za-z])(?:0[xX])?(?=[0-9a-fA-F-]*\d)[0-9a-fA-F][0-9a-fA-F-]{5,}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![0-9A-Za-z])/g;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]|$)/;
const HEX = /^(?:0[xX])?(?=[0-9]*[a-fA-F])[0-9a-fA-F]{8,}$/;
const LONG_NUMBER = /^\d{6,}$/;
const HAS_DIGIT = /\d/;

function replaceVolatile(token: string): string {
  if (UUID.test(token)) return '<uuid>';
  if (ISO_TIME.test(token)) return '<time>';
  if (HEX.test(token)) return '<hex>';
  return LONG_NUMBER.test(token) ? '<n>' : token;
}

const ID_KEY = /^(?:id|ids|uuid|guid|at|timestamp|ts|time|date|nonce|etag)$|(?:Id|Ids|ID|_id|_ids|At|_at)$/;
/** An integer this large is an id or an epoch time, not a quantity the agent reasons about. */
const ID_NUMBER_MIN = 100_000;
const MAX_DEPTH = 64;

export interface NormalizeOptions {
  /** Further object keys to drop (besides id, *Id, *_id, *At, timestamp, ...). */
  ignoreKeys?: readonly string[];
}

export function normalizeText(text: string): string {
  if (!HAS_DIGIT.test(text)) return text; // every volatile pattern has a digit
  return text.replace(CANDIDATE, replaceVolatile);
}

/** The canonical JSON text of `value` with volatile parts stripped. */
export function canonicalText(value: unknown, options: NormalizeOptions = {}): string {
  const ignore = options.ignoreKeys && options.ignoreKeys.length > 0 ? new Set(options.ignoreKeys) : undefined;
  return write(value, ignore, 0, new Set());
}

function write(value: unknown, ignore: Set<string> | undefined, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(normalizeText(value));
    case 'number':
      if (!Number.isFinite(value)) return 'null';
      return Number.isInteger(value) && Math.abs(value) >= ID_NUMBER_MIN ? '"<n>"' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return '"<n>"';
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null';
  }
  if (value === null) return 'null';
  const object = value as object;
  if (depth >= MAX_DEPTH) return '"<deep>"';
  if (seen.has(object)) return '"<cycle>"';
  if (object instanceof Date) return '"<time>"';
  seen.add(object);
  let out: string;
  if (Array.isArray(object)) {
    out = `[${object.map((item) => write(item, ignore, depth + 1, seen)).join(',')}]`;
  } else if (object instanceof Error) {
    out = `{"message":${JSON.stringify(normalizeText(object.message))},"name":${JSON.stringify(object.name)}}`;
  } else {
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      if (ID_KEY.test(key) || ignore?.has(key)) continue;
      const item = record[key];
      if (item === undefined || typeof item === 'function') continue;
      parts.push(`${JSON.stringify(key)}:${write(item, ignore, depth + 1, seen)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  seen.delete(object);
  return out;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** SHA-256 of the canonical, stripped JSON of `value`. */
export function fingerprint(value: unknown, options: NormalizeOptions = {}): string {
  return sha256(canonicalText(value, options));
}
