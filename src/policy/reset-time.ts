import { errorHeader } from './error-shape.js';
import { retryAfterMsOf } from './retry-after.js';

/**
 * When a provider's exhausted limit resets, from its rate-limit headers: OpenAI's
 * `x-ratelimit-reset-{requests,tokens}` (durations like "1s", "6m0s", "20ms") and Anthropic's
 * `anthropic-ratelimit-*-reset` (RFC 3339 times).
 */
const LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

/** Milliseconds until the limits that are used up (remaining "0") reset; the longest wins. */
export function exhaustedLimitResetMs(error: unknown, now: number): number | undefined {
  let longest: number | undefined;
  for (const limit of LIMITS) {
    const candidates: Array<[string | undefined, number | undefined]> = [
      [errorHeader(error, `x-ratelimit-remaining-${limit}`), parseDurationMs(errorHeader(error, `x-ratelimit-reset-${limit}`))],
      [errorHeader(error, `anthropic-ratelimit-${limit}-remaining`), untilDate(errorHeader(error, `anthropic-ratelimit-${limit}-reset`), now)],
    ];
    for (const [remaining, resetMs] of candidates) {
      if (remaining?.trim() === '0' && resetMs !== undefined) longest = Math.max(longest ?? 0, resetMs);
    }
  }
  return longest;
}

/**
 * When a used-up quota or limit is available again (epoch ms): the server's Retry-After, else
 * the latest reset among the rate-limit headers. Undefined when the provider gives none.
 */
export function resetAtOf(error: unknown, now: number): number | undefined {
  const after = retryAfterMsOf(error, now);
  if (after !== undefined) return now + after;
  let latest: number | undefined;
  for (const limit of LIMITS) {
    for (const ms of [
      parseDurationMs(errorHeader(error, `x-ratelimit-reset-${limit}`)),
      untilDate(errorHeader(error, `anthropic-ratelimit-${limit}-reset`), now),
    ]) {
      if (ms !== undefined) latest = Math.max(latest ?? 0, now + ms);
    }
  }
  return latest;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** A Go-style duration ("1h2m3.5s", "20ms"); undefined unless the whole value parses. */
export function parseDurationMs(raw: string | undefined): number | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = DURATION_PART.exec(text); m !== null; m = DURATION_PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    end = DURATION_PART.lastIndex;
  }
  return end === text.length && Number.isFinite(total) ? Math.round(total) : undefined;
}

function untilDate(raw: string | undefined, now: number): number | undefined {
  if (raw === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(raw.trim())) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
