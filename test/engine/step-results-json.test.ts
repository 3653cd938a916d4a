// Step results are what comes back from JSON: the types say so (Jsonify) and what would not come
// back the same (class instances, Map, BigInt) is refused. Type assertions here are checked by
// the build (tsc compiles test/), the runtime ones by vitest.
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import type { Jsonify } from '../../src/workflow/jsonify.js';
import { toJson } from '../../src/store/serialize.js';
import { startEngine, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

class Money {
  constructor(readonly cents: number) {}
  euros(): number {
    return this.cents / 100;
  }
}

const dated = defineWorkflow('json.dated', async (ctx) => {
  const d = await ctx.step('d', () => new Date(0));
  expectTypeOf(d).toEqualTypeOf<string>();
  const nested = await ctx.step('nested', () => ({ at: new Date(0), tags: ['a'], n: 1, gone: undefined as string | undefined }));
  expectTypeOf(nested).toEqualTypeOf<{ at: string; tags: string[]; n: number; gone: string | undefined }>();
  return { d, nested };
});

const classy = defineWorkflow('json.classy', async (ctx) => {
  await ctx.step('money', () => new Money(250));
  return 'unreachable';
});

describe('step results are JSON', () => {
  it('types: Jsonify maps what JSON changes and refuses what it cannot carry', () => {
    expectTypeOf<Jsonify<Date>>().toEqualTypeOf<string>();
    expectTypeOf<Jsonify<{ a: Date[] }>>().toEqualTypeOf<{ a: string[] }>();
    expectTypeOf<Jsonify<Map<string, number>>>().toEqualTypeOf<never>();
    expectTypeOf<Jsonify<bigint>>().toEqualTypeOf<never>();
    expectTypeOf<Jsonify<unknown>>().toEqualTypeOf<unknown>();
    expectTypeOf<Jsonify<{ n: number; s: string | null }>>().toEqualTypeOf<{ n: number; s: string | null }>();
    expectTypeOf<Jsonify<Money>>().toEqualTypeOf<{ readonly cents: number; euros: never }>();
  });

  it('a Date step result is its ISO string, on the first execution and on replay alike', async () => {
    engine = await startEngine({ workflows: [dated] });
    const h = await engine.lifeline.start(dated);
    expectTypeOf(h.result).returns.resolves.toEqualTypeOf<{ d: string; nested: { at: string; tags: string[]; n: number; gone: string | undefined } }>();
    expect(await h.result()).toEqual({ d: '1970-01-01T00:00:00.000Z', nested: { at: '1970-01-01T00:00:00.000Z', tags: ['a'], n: 1 } });
  });

  it('a class instance (or a Response) is refused with the path and what to return instead', async () => {
    expect(() => toJson({ body: new Response('hi') }, 'Result of step "fetch#0"')).toThrow(
      'Result of step "fetch#0" is not JSON-serializable at $.body: a Response is not plain data: JSON keeps only its own fields, not its class or methods (return a plain object, e.g. the parsed body of a Response)',
    );
    expect(toJson(Object.assign(Object.create(null) as object, { a: 1 }), 'x')).toBe('{"a":1}');
    engine = await startEngine({ workflows: [classy] });
    const h = await engine.lifeline.start(classy);
    await expect(h.result()).rejects.toThrow('is not JSON-serializable at $: a Money is not plain data');
  });
});

describe('start without input', () => {
  it('a workflow whose input allows undefined starts without one; one that needs input does not', () => {
    const none = defineWorkflow('json.no-input', () => 1);
    const needs = defineWorkflow('json.needs-input', (_ctx, input: { n: number }) => input.n);
    expectTypeOf(async (l: TestEngine['lifeline']) => l.start(none)).toBeFunction();
    // @ts-expect-error: the input { n: number } is required
    const missing = async (l: TestEngine['lifeline']) => l.start(needs);
    expectTypeOf(missing).toBeFunction();
    const optional = defineWorkflow('json.optional-input', (_ctx, input: { n: number } | undefined) => input?.n ?? 0);
    expectTypeOf(async (l: TestEngine['lifeline']) => l.start(optional, undefined, { runId: 'x' })).toBeFunction();
    expectTypeOf(async (l: TestEngine['lifeline']) => l.start(optional)).toBeFunction();
  });
});
