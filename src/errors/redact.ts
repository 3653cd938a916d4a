/**
 * Scrubs credentials from text before it is stored (error messages, step inputs in logs).
 * Run histories live for a long time and get pasted into issues, so a leaked key there is
 * a real leak. Patterns aim at things that are clearly secrets; ordinary words are left alone.
 */

import { registeredSecrets } from './secrets.js';

const R = '[REDACTED]';

/** Parameter names whose values are secrets, in query strings, forms and JSON. */
const SECRET_PARAM = '(?:api[_-]?key|key|token|access[_-]?token|secret|password|passwd|client[_-]?secret)';

type Replacement = [RegExp, string];

const PATTERNS: readonly Replacement[] = [
  // The whole header value, whatever the scheme, even a short one.
  [/(\bauthorization["']?\s*[:=]\s*["']?)((?:bearer|basic|token|digest)\s+)?[^\s"',;}]+/gi, `$1$2${R}`],
  [/(\bx-api-key["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi, `$1${R}`],
  // scheme://user:SECRET@host. Bounded repeats: unbounded ones went quadratic on long words.
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/?#@]{0,256}:)[^\s@/?#]{1,256}@/gi, `$1${R}@`],
  // JSON / JS object: "password": "x" or 'password': 'x'; any prefix like "db_password".
  [new RegExp(`((["'])(?:[\\w-]*[_-])?${SECRET_PARAM}\\2\\s*:\\s*)(["'])(?:\\\\.|(?!\\3).)*\\3`, 'gi'), `$1$3${R}$3`],
  // Query, form, env, CLI: password=x, ?api_key=abc, OPENAI_API_KEY=..., --token=...
  [new RegExp(`((?<![\\w-])(?:[\\w-]*[_-])?${SECRET_PARAM}=)[^&\\s#"',;]+`, 'gi'), `$1${R}`],
  // The key a provider echoes in a 401 ("Incorrect API key provided: abc1****wxyz."), any length.
  [/(\bAPI key provided:\s*)[^\s,;]*[^\s,;.]/gi, `$1${R}`],
  // Well-known token formats, wherever they appear. OpenAI and Anthropic keys (sk-, sk-proj-,
  // sk-ant-) also as the short masked fragments providers echo back ("sk-abc***xyz1").
  [/\bsk-[A-Za-z0-9_*-]{3,}/g, R],
  // A masked key fragment: a few characters, a run of asterisks, a few characters.
  [/(?<![\w*-])[A-Za-z0-9_-]{2,12}\*{3,}[A-Za-z0-9_-]{2,12}(?![\w*-])/g, R],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, R],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, R],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/g, R],
  [/\bAIza[0-9A-Za-z_-]{35}/g, R],
  // JWT; header length bounded so long runs of "eyJ-" cannot make this quadratic.
  [/\beyJ[A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, R],
];

// Outside an Authorization header a scheme word is only followed by a secret if the value looks
// like a token, so "Bearer bonds" and "Basic authentication." stay.
const BARE_CREDENTIAL = /\b(Bearer|Basic)\s+([\w\-.~+/]{6,}=*)/g;

// Plain string scans rather than one regex: a nested-quantifier lookahead was quadratic on long words.
function looksLikeToken(token: string): boolean {
  if (/[0-9+/=]/.test(token)) return true;
  const firstLower = token.search(/[a-z]/); // lower-then-upper mix, as in base64 or random ids
  return firstLower >= 0 && /[A-Z]/.test(token.slice(firstLower + 1));
}

/**
 * Replaces the registered secret values (secrets.ts) and known secret shapes with `[REDACTED]`.
 * `extra` patterns replace their whole match; they need not be global (every match is replaced
 * either way).
 */
export function redactSecrets(text: string, extra: readonly RegExp[] = []): string {
  // Registered values first: a pattern that rewrote part of one would hide the rest from the exact match.
  let out = replaceAll(text, registeredSecrets());
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  out = out.replace(BARE_CREDENTIAL, (match, scheme: string, token: string) => (looksLikeToken(token) ? `${scheme} ${R}` : match));
  for (const re of extra) {
    const global = re.global ? re : new RegExp(re.source, `${re.flags}g`);
    // An empty match (e.g. /x*/) would insert the marker between every character.
    out = out.replace(global, (match) => (match === '' ? match : R));
  }
  return out;
}

/** Shorter values are skipped: scrubbing "abc" everywhere would mangle the text, not protect it. */
const MIN_KNOWN_VALUE_LENGTH = 6;

/**
 * Replaces each exact occurrence of the given secret values (e.g. from the environment).
 * `minLength` lowers the bound for values known to be secrets, like a database password.
 */
export function redactKnownValues(text: string, values: readonly string[], minLength = MIN_KNOWN_VALUE_LENGTH): string {
  // Longest first, so a secret that contains another is removed whole.
  const secrets = [...new Set(values)].filter((v) => v !== '' && v.length >= minLength).sort((a, b) => b.length - a.length);
  return replaceAll(text, secrets);
}

function replaceAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(R);
  return out;
}
