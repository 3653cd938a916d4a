import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { extractJson, parseStructured, StructuredOutputError, structuredBody, structuredRetry, structuredStep } from '../../src/llm/structured.js';
import type { WorkflowContext } from '../../src/workflow/context.js';

const failure = (text: unknown): { kind: string; message: string } | 'no error' => {
  try {
    extractJson(text as string);
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(StructuredOutputError);
    return { kind: (error as StructuredOutputError).kind, message: (error as Error).message };
  }
};

describe('extractJson', () => {
  it.each([
    ['a ```json fence in prose', 'Here:\n```json\n{"a": 1}\n```\nDone.', { a: 1 }, false, 'fence'],
    ['an unlabelled fence', '```\n[1, 2]\n```', [1, 2], false, 'fence'],
    ['a json fence after another code block', '```python\nx = {1: 2}\n```\nand\n```json\n{"b": true}\n```', { b: true }, false, 'fence'],
    ['an unclosed fence', '```json\n{"a": 1}', { a: 1 }, false, 'fence'],
    ['an object in prose', 'The answer is {"a": {"b": [1, {"c": null}]}} as requested.', { a: { b: [1, { c: null }] } }, false, 'prose'],
    ['braces inside strings', 'x { "s": "a } b ] {" } y', { s: 'a } b ] {' }, false, 'prose'],
    ['a footnote before the object', 'See [1]. {"a": 2}', { a: 2 }, false, 'prose'],
    ['the first of two objects of one length', '{"a": 1} or {"b": 2}', { a: 1 }, false, 'prose'],
    ['a trailing comma', '{"a": [1, 2,],}', { a: [1, 2] }, true, 'prose'],
    ['single quotes', "{'a': 'it is', 'b': 2}", { a: 'it is', b: 2 }, true, 'prose'],
    ['unquoted keys', '{a: 1, b: "x"}', { a: 1, b: 'x' }, true, 'prose'],
    ['a missing closing brace', '{"a": {"b": 1}', { a: { b: 1 } }, true, 'prose'],
    ['a missing brace then prose', '{"a": 1, "b": [2]\n\nHope this helps!', { a: 1, b: [2] }, true, 'prose'],
    ['a comment', '{"a": 1 /* one */}', { a: 1 }, true, 'prose'],
    ['Python constants', "Result: {'ok': True, 'v': None}", { ok: true, v: null }, true, 'prose'],
    ['an apostrophe in prose before broken JSON', "Here's the data: {'a': 1,}", { a: 1 }, true, 'prose'],
    ['a bare number', ' 42 ', 42, false, 'whole'],
  ])('%s', (_what, text, value, repaired, source) => {
    expect(extractJson(text)).toEqual({ value, repaired, source });
  });

  it.each([
    ['plain prose', 'I cannot answer that.', 'no_json', 'Structured output: no JSON object or array found in the answer'],
    ['an empty answer', '', 'no_json', 'Structured output: no JSON object or array found in the answer'],
    ['a fence of prose', '```\nnothing here\n```', 'no_json', 'Structured output: no JSON object or array found in the answer'],
    ['null instead of text', null, 'no_json', 'Structured output: no JSON object or array found in the answer (the answer is null, not text)'],
    ['a number instead of text', 7, 'no_json', 'Structured output: no JSON object or array found in the answer (the answer is number, not text)'],
    [
      'brackets that repair to nothing',
      'Here: {:::} and [,,,]',
      'invalid_json',
      'Structured output: the JSON in the answer could not be parsed, even after repair',
    ],
  ])('%s: a clear error', (_what, text, kind, message) => {
    expect(failure(text)).toEqual({ kind, message });
  });

  it('finds any JSON value embedded in prose, fenced or not, as it was', () => {
    const prose = fc.string().filter((s) => !/[[\]{}`"'\\]/.test(s));
    const json = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()));
    fc.assert(
      fc.property(prose, json, prose, fc.boolean(), (before, value, after, fenced) => {
        const body = JSON.stringify(value, null, fenced ? 2 : undefined);
        const text = fenced ? `${before}\n\`\`\`json\n${body}\n\`\`\`\n${after}` : `${before} ${body} ${after}`;
        const found = extractJson(text);
        expect(found.value).toEqual(JSON.parse(body));
        expect(found.repaired).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a StructuredOutputError, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', "'", ',', ':', '`', '\n', 'a', '1', ' ') })), (text) => {
        try {
          extractJson(text);
        } catch (error) {
          expect(error).toBeInstanceOf(StructuredOutputError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('repairs an object whose trailing commas and closing braces were dropped', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.integer(), fc.boolean(), fc.stringMatching(/^[a-z ]{0,10}$/)), { minKeys: 1 }),
        (value) => {
          const body = JSON.stringify(value);
          const broken = `${body.slice(0, -1)},`; // a trailing comma and no closing brace
          expect(extractJson(broken)).toEqual({ value, repaired: true, source: 'prose' });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseStructured', () => {
  const Schema = z.object({ items: z.array(z.object({ price: z.number() })), 'odd key': z.string().optional() });

  it('returns the value and whether it was repaired', () => {
    expect(parseStructured('{"items": [{"price": 1},]}', Schema)).toEqual({ ok: true, value: { items: [{ price: 1 }] }, repaired: true });
  });

  it('returns the zod issues with their field paths, formatted for a re-ask', () => {
    const r = parseStructured('{"items": [{"price": 1}, {"price": 2}, {"price": "3"}], "odd key": 5}', Schema);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('schema_mismatch');
    expect(r.error.errorClass).toBe('validation');
    expect(r.error.issues).toEqual([
      { path: 'items[2].price', message: 'Invalid input: expected number, received string' },
      { path: '["odd key"]', message: 'Invalid input: expected string, received number' },
    ]);
    expect(r.error.message).toBe(
      'Structured output: the JSON does not match the schema (2 issues)\n' +
        '- items[2].price: Invalid input: expected number, received string\n' +
        '- ["odd key"]: Invalid input: expected string, received number',
    );
    expect(StructuredOutputError.parseMessage(r.error.message)).toEqual({ kind: 'schema_mismatch', issues: r.error.issues });
  });

  it('names the root when the value itself is wrong, and works with zod/mini', () => {
    const r = parseStructured('[1]', zm.object({ a: zm.number() }));
    expect(r.ok ? 'ok' : r.error.issues).toEqual([{ path: '(root)', message: 'Invalid input: expected object, received array' }]);
  });

  it('bounds the message: at most 20 issues, each on one line', () => {
    const many = parseStructured(JSON.stringify(Array.from({ length: 25 }, () => 'x')), z.array(z.number()));
    expect(many.ok).toBe(false);
    if (many.ok) return;
    const lines = many.error.message.split('\n');
    expect(lines).toHaveLength(22);
    expect(lines.at(-1)).toBe('(and 5 more)');
    expect(many.error.issues).toHaveLength(25);
  });

  it('passes a failure to extract on as a result, not a throw', () => {
    expect(parseStructured('no json', Schema)).toMatchObject({ ok: false, repaired: false, error: { kind: 'no_json' } });
  });
});

describe('structured options', () => {
  const generate = () => '{}';
  const ctx = { step: () => Promise.resolve(null) } as unknown as WorkflowContext;
  const refused = async (options: unknown) => {
    try {
      await structuredStep(ctx, 'extract', options as never);
      return 'accepted';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  };

  it.each([
    [{ schema: z.string(), generate, maxReasks: -1 }, 'Invalid option structured step "extract".maxReasks: must be an integer from 0 to 20 (got -1)'],
    [{ schema: z.string(), generate, maxReasks: 1.5 }, 'Invalid option structured step "extract".maxReasks: must be an integer from 0 to 20 (got 1.5)'],
    [{ schema: z.string(), generate, maxReasks: 21 }, 'Invalid option structured step "extract".maxReasks: must be an integer from 0 to 20 (got 21)'],
    [{ generate }, 'Invalid option structured step "extract".schema: is required: the zod schema the answer must match (got undefined)'],
    [{ schema: {}, generate }, 'Invalid option structured step "extract".schema: must be a zod schema (an object with safeParse) (got object)'],
    [{ schema: z.string() }, 'Invalid option structured step "extract".generate: is required: the function that asks the model (got undefined)'],
    [{ schema: z.string(), generate: 'gpt' }, 'Invalid option structured step "extract".generate: must be a function (got string)'],
    [
      { schema: z.string(), generate, model: '' },
      'Invalid option structured step "extract".model: must be a non-empty string of at most 200 characters without NUL (got "")',
    ],
    [
      { schema: z.string(), generate, maxReask: 2 },
      'Invalid option structured step "extract".maxReask: unknown option (known: schema, generate, maxReasks, model, retry, timeout)',
    ],
    [
      { schema: z.string(), generate, retry: { maxAttempts: 0 } },
      'Invalid option structured step "extract".retry.maxAttempts: must be an integer from 1 to 1000 (got 0)',
    ],
    [undefined, 'Invalid option structured step "extract": must be an object with schema and generate (got undefined)'],
  ])('%j is refused naming the field', async (options, message) => {
    expect(await refused(options)).toBe(`InvalidOptionsError: ${message}`);
  });

  it('structuredRetry re-asks validation at once for this step only, and checks its count', () => {
    expect(structuredRetry(3, { maxAttempts: 5, classes: { transient: { maxAttempts: 2 } } })).toEqual({
      maxAttempts: 5,
      classes: { transient: { maxAttempts: 2 }, validation: { retry: true, maxAttempts: 4, initialDelayMs: 0, maxDelayMs: 0 } },
    });
    expect(() => structuredRetry(-1)).toThrow('Invalid option structuredRetry.maxReasks: must be an integer from 0 to 20 (got -1)');
  });

  it('structuredBody takes no step options', () => {
    expect(() => structuredBody({ schema: z.string(), generate, retry: {} } as never)).toThrow(
      'Invalid option structuredBody.retry: unknown option (known: schema, generate, maxReasks, model)',
    );
  });
});
