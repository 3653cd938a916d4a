import { jsonrepair } from 'jsonrepair';
import { StructuredOutputError } from './structured-error.js';

/** What extractJson found: the parsed value, whether it needed repair, and where it was. */
export interface ExtractedJson {
  value: unknown;
  /** True when the JSON only parsed after jsonrepair (trailing commas, single quotes, a missing brace...). */
  repaired: boolean;
  /** `fence`: a ``` code block; `prose`: an object or array inside other text; `whole`: the whole answer. */
  source: 'fence' | 'prose' | 'whole';
}

const FENCE = /```[ \t]*([A-Za-z0-9_-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;
/** How many cuts at line ends are tried on an object that never closes (a missing brace followed by prose). */
const MAX_LINE_CUTS = 20;

/**
 * Finds the JSON in a model's answer and parses it: the first ```json (or unlabelled) code block
 * holding an object or array; else the longest balanced object or array in the text that parses,
 * else the longest one jsonrepair can mend (an object that never closes runs to the end of the
 * text, cut back line by line); else the whole answer (a bare number or string). Broken JSON is
 * repaired with jsonrepair. Throws a StructuredOutputError (class validation) of kind `no_json`
 * when there is nothing to parse and `invalid_json` when nothing could be repaired.
 */
export function extractJson(text: string): ExtractedJson {
  if (typeof text !== 'string') throw new StructuredOutputError('no_json', [], { detail: `the answer is ${text === null ? 'null' : typeof text}, not text` });
  const fenced = fencedBlocks(text);
  for (const block of fenced) {
    const found = parseCandidates(spans(block));
    if (found) return { ...found, source: 'fence' };
  }
  const inProse = parseCandidates(spans(text));
  if (inProse) return { ...inProse, source: 'prose' };
  const whole = strict(text.trim());
  if (whole.ok && text.trim() !== '') return { value: whole.value, repaired: false, source: 'whole' };
  if (fenced.length === 0 && spans(text).length === 0) throw new StructuredOutputError('no_json');
  throw new StructuredOutputError('invalid_json');
}

/** The contents of the answer's code blocks, ```json ones first (an unclosed block runs to the end). */
function fencedBlocks(text: string): string[] {
  const blocks: Array<{ lang: string; body: string }> = [];
  for (const m of text.matchAll(FENCE)) blocks.push({ lang: (m[1] ?? '').toLowerCase(), body: m[2] ?? '' });
  const json = blocks.filter((b) => b.lang === 'json' || b.lang === 'jsonc' || b.lang === 'json5');
  const rest = blocks.filter((b) => !json.includes(b) && b.lang === '');
  return [...json, ...rest].map((b) => b.body).filter((b) => /[[{]/.test(b));
}

type Parsed = { value: unknown; repaired: boolean };

/**
 * The longest candidate that parses as it is (the first of equals: a footnote "[1]" before the
 * answer's object loses to it); else the longest that parses once repaired.
 */
function parseCandidates(candidates: readonly string[]): Parsed | undefined {
  let found: { value: unknown; length: number } | undefined;
  for (const c of candidates) {
    const s = strict(c);
    if (s.ok && (!found || c.length > found.length)) found = { value: s.value, length: c.length };
  }
  if (found) return { value: found.value, repaired: false };
  let best: { value: unknown; length: number } | undefined;
  for (const c of candidates) {
    for (const cut of cuts(c)) {
      const r = repaired(cut);
      if (r.ok && isContainer(r.value)) {
        if (!best || cut.length > best.length) best = { value: r.value, length: cut.length };
        break;
      }
    }
  }
  return best && { value: best.value, repaired: true };
}

/**
 * The top-level bracketed spans of the text, in order: from each `{` or `[` outside an earlier
 * span to its matching close (strings in double or single quotes skipped), or to the end of the
 * text when it never closes.
 */
export function spans(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch !== '{' && ch !== '[') {
      i++;
      continue;
    }
    const end = matchingClose(text, i);
    out.push(end < 0 ? withoutTrailingProse(text.slice(i)) : text.slice(i, end));
    i = end < 0 ? text.length : end;
  }
  return out;
}

/** The index after the bracket closing the one at `start`; -1 when it never closes. */
function matchingClose(text: string, start: number): number {
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      else if (ch === '\n' && quote === "'") quote = null; // an apostrophe in prose, not a string
      continue;
    }
    if (ch === '"' || (ch === "'" && !/\w/.test(text[i - 1] ?? ''))) quote = ch;
    else if (ch === '{' || ch === '[') stack.push(ch === '{' ? '}' : ']');
    else if (ch === '}' || ch === ']') {
      if (stack.at(-1) === ch) stack.pop();
      else return i; // a stray close: the span ends before it
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** An object that never closes may run on into prose ("Hope this helps!"): such last lines are not JSON. */
function withoutTrailingProse(span: string): string {
  const lines = span.split('\n');
  while (lines.length > 1 && isProseLine(lines.at(-1) as string)) lines.pop();
  return lines.join('\n');
}

function isProseLine(line: string): boolean {
  const t = line.trim();
  return t === '' || (!/[":{}[\]]/.test(t) && !/^(-?\d[\d.eE+-]*,?|true,?|false,?|null,?)$/.test(t));
}

/** The candidate, then (for one that runs on into prose) the candidate cut back at its last line ends. */
function* cuts(candidate: string): Generator<string> {
  yield candidate;
  let end = candidate.length;
  for (let n = 0; n < MAX_LINE_CUTS; n++) {
    end = candidate.lastIndexOf('\n', end - 1);
    if (end <= 0) return;
    yield candidate.slice(0, end);
  }
}

function strict(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function repaired(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return strict(jsonrepair(text));
  } catch {
    return { ok: false };
  }
}

function isContainer(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}
