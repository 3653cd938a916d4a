/**
 * Defensive readers for the shapes errors come in. Thrown values can be anything (strings,
 * null, proxies, objects with throwing getters), and classification must never throw, so
 * every property read goes through `prop`.
 */

/** How many `cause` links are followed; real wrappers nest two or three deep, cycles exist. */
export const MAX_CAUSE_DEPTH = 3;

export function prop(value: unknown, key: string): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `name` plus the constructor name: some SDKs (openai) do not set `name` on their subclasses. */
export function errorNames(error: unknown): string[] {
  const names = [str(prop(error, 'name')), str(prop(prop(error, 'constructor'), 'name'))];
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

export function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  return str(prop(error, 'message')) ?? '';
}

export function errorCause(error: unknown): unknown {
  return prop(error, 'cause');
}

/**
 * The error a retry wrapper gave up on: the AI SDK's `RetryError` (`AI_RetryError`) holds the
 * attempts' errors in `errors` and the last one in `lastError`; it says nothing itself.
 */
export function retryWrapped(error: unknown): unknown {
  if (prop(error, 'name') !== 'AI_RetryError') return undefined;
  const last = prop(error, 'lastError');
  if (last != null) return last;
  const all = prop(error, 'errors');
  return Array.isArray(all) && all.length > 0 ? (all[all.length - 1] as unknown) : undefined;
}

/** `code` and string `errno` of the error itself (Node puts the symbolic name in either). */
export function ownCodes(error: unknown): string[] {
  return [str(prop(error, 'code')), str(prop(error, 'errno'))].filter((c): c is string => c !== undefined);
}

/** Codes of the error and its causes, with the depth each was found at (0 = the error). */
export function chainCodes(error: unknown): Array<{ code: string; depth: number }> {
  const found: Array<{ code: string; depth: number }> = [];
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current != null; depth++) {
    for (const code of ownCodes(current)) found.push({ code, depth });
    current = errorCause(current);
  }
  return found;
}

function asStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/** HTTP status as the openai/anthropic SDKs, axios, got and fetch wrappers expose it. */
export function httpStatus(error: unknown): number | undefined {
  const response = prop(error, 'response');
  return asStatus(prop(error, 'status')) ?? asStatus(prop(error, 'statusCode')) ?? asStatus(prop(response, 'status')) ?? asStatus(prop(response, 'statusCode'));
}

function headerFrom(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const get = prop(headers, 'get');
  if (typeof get === 'function') {
    try {
      const v: unknown = get.call(headers, name);
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    } catch {
      // A broken Headers-like object: fall back to reading it as a plain object.
    }
  }
  let keys: string[];
  try {
    keys = Object.keys(headers);
  } catch {
    return undefined;
  }
  const key = keys.find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : prop(headers, key);
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/**
 * A response header from `error.headers`, `error.response.headers` or `error.responseHeaders`
 * (the AI SDK's APICallError); `name` is lower case.
 */
export function errorHeader(error: unknown, name: string): string | undefined {
  return (
    headerFrom(prop(error, 'headers'), name) ?? headerFrom(prop(prop(error, 'response'), 'headers'), name) ?? headerFrom(prop(error, 'responseHeaders'), name)
  );
}
