// The message part of a fingerprint: what varies between two occurrences of the same problem
// (numbers, ids, request ids, UUIDs, hex, timestamps, paths, URLs, quoted values) is replaced by
// a placeholder, so "quota 429 for req_8fA2x at 12:00:01" and "quota 429 for req_91bQz at
// 13:07:44" read the same. The words that say what went wrong stay.

/** Longest normalized message kept: the start of a message says what it is. */
export const MAX_NORMALIZED_CHARS = 300;

// In this order: a URL or path may hold numbers and ids; a timestamp holds numbers.
const STEPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>]+/gi, '<url>'],
  [/"[^"\n]*"|'[^'\n]*'|`[^`\n]*`|“[^”\n]*”/g, '<q>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?/gi, '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<time>'],
  [/(?:\b[a-z]:|~|\.{1,2})?(?:[\\/][\w.@+-]+){2,}[\\/]?|(?:\.{1,2}|~)[\\/][\w.@+-]+/gi, '<path>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // An id: a token of letters, digits, _ and - with at least one digit and one letter and 6+
  // characters (req_8fA2x9, chatcmpl-B2k9, a hex digest); digits alone are a number below.
  [/\b(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{6,}\b/gi, '<id>'],
  [/\d+(?:[.,]\d+)*/g, '<n>'],
];

/** The message with its varying parts replaced, whitespace collapsed, lower case, bounded. */
export function normalizeMessage(message: string): string {
  let text = message;
  for (const [pattern, placeholder] of STEPS) text = text.replace(pattern, placeholder);
  text = text.replace(/\s+/g, ' ').trim().toLowerCase();
  return text.length > MAX_NORMALIZED_CHARS ? text.slice(0, MAX_NORMALIZED_CHARS) : text;
}
