import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { StructuredOutputError, structuredBody, structuredRetry, structuredStep, summarizeStructured } from '../../src/llm/structured.js';
import { startEngine, type TestEngine } from '../helpers.js';
import { startProviderServer, type ProviderServer } from './provider-server.js';
import { Order, openaiGenerate, userMessages } from './structured-kit.js';

// structuredStep against a local OpenAI-compatible server, the real openai SDK as the generator:
// every try is one HTTP call and one attempt row; re-asks carry the field paths to the server.
let server: ProviderServer;
let engine: TestEngine | undefined;

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const GOOD = '{"customer": "Ada", "items": [{"name": "tea", "price": 3}]}';
const VALUE = { customer: 'Ada', items: [{ name: 'tea', price: 3 }] };

/** Runs a workflow of one structured step; the failure (a StructuredOutputError) is returned as data. */
async function run(name: string, maxReasks?: number) {
  const wf = defineWorkflow(name, async (ctx) => {
    try {
      return {
        value: await structuredStep(ctx, 'order', { schema: Order, generate: openaiGenerate(server), ...(maxReasks === undefined ? {} : { maxReasks }) }),
      };
    } catch (error) {
      if (!(error instanceof StructuredOutputError)) throw error;
      return { error: { message: error.message, kind: error.kind, errorClass: error.errorClass, issues: error.issues, attempts: error.attempts } };
    }
  });
  engine = await startEngine({ workflows: [wf] });
  const before = server.requests.length;
  const handle = await engine.lifeline.start(wf, null);
  const output = await handle.result();
  const store = engine.lifeline.store;
  const attempts = (await store.listAttempts(handle.runId)).map((a) => [a.attempt, a.outcome, a.errorClass]);
  const tries = (await store.listEvents({ runId: handle.runId })).filter((e) => e.type === 'llm.structured');
  return { output, attempts, calls: server.requests.length - before, requests: server.requests.slice(before), tries, events: tries };
}

const triesOf = (events: Array<{ data: unknown }>) =>
  events.map((e) => {
    const d = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as Record<string, unknown>;
    return [d.reask, d.ok, d.repaired, d.kind ?? null, d.model];
  });

describe('structuredStep with the openai SDK', () => {
  it('finds fenced JSON in prose: one call, one attempt, not repaired', async () => {
    server.reply({ content: `Sure! Here is the order:\n\`\`\`json\n${GOOD}\n\`\`\`\nLet me know if you need more.` });
    const r = await run('structured.fenced');
    expect(r.output).toEqual({ value: VALUE });
    expect(r.calls).toBe(1);
    expect(r.attempts).toEqual([[1, 'succeeded', null]]);
    expect(triesOf(r.tries)).toEqual([[0, true, false, null, 'gpt-4o-mini']]);
  });

  it.each([
    ['a trailing comma', '{"customer": "Ada", "items": [{"name": "tea", "price": 3},],}'],
    ['single quotes', "The order: {'customer': 'Ada', 'items': [{'name': 'tea', 'price': 3}]} as asked."],
    ['a missing closing brace', '{"customer": "Ada", "items": [{"name": "tea", "price": 3}]\nHope this helps!'],
  ])('repairs JSON with %s on the first try (no re-ask)', async (_what, content) => {
    server.reply({ content });
    const r = await run(`structured.repair.${_what.replaceAll(' ', '-')}`);
    expect(r.output).toEqual({ value: VALUE });
    expect(r.calls).toBe(1);
    expect(triesOf(r.tries)).toEqual([[0, true, true, null, 'gpt-4o-mini']]);
  });

  it('re-asks a schema mismatch with the field paths in the request, and takes the fixed answer', async () => {
    server.reply({ content: '{"customer": "Ada", "items": [{"name": "tea", "price": "3"}]}' }, { content: GOOD });
    const r = await run('structured.reask');
    expect(r.output).toEqual({ value: VALUE });
    expect(r.calls).toBe(2);
    expect(userMessages(r.requests[0])).toHaveLength(1);
    // Asserted at the server: the re-ask's request body carries the issue with its path.
    expect(userMessages(r.requests[1])[1]).toBe(
      'Your previous answer was rejected: the JSON does not match the schema (1 issue)\n' +
        '- items[0].price: Invalid input: expected number, received string\n' +
        'Answer again with only the corrected JSON.',
    );
    expect(r.attempts).toEqual([
      [1, 'failed', 'validation'],
      [2, 'succeeded', null],
    ]);
    expect(triesOf(r.tries)).toEqual([
      [0, false, false, 'schema_mismatch', 'gpt-4o-mini'],
      [1, true, false, null, 'gpt-4o-mini'],
    ]);
  });

  it('fails after maxReasks re-asks with a StructuredOutputError carrying the issues: one attempt and one call per try', async () => {
    const wrong = { content: '{"items": [{"name": "tea", "price": "3"}, {"price": 2}]}' };
    server.reply(wrong, wrong, wrong);
    const r = await run('structured.exhausted', 2);
    expect(r.output).toEqual({
      error: {
        message:
          'Structured output: the JSON does not match the schema (3 issues) (after 3 attempts)\n' +
          '- customer: Invalid input: expected string, received undefined\n' +
          '- items[0].price: Invalid input: expected number, received string\n' +
          '- items[1].name: Invalid input: expected string, received undefined',
        kind: 'schema_mismatch',
        errorClass: 'validation',
        issues: [
          { path: 'customer', message: 'Invalid input: expected string, received undefined' },
          { path: 'items[0].price', message: 'Invalid input: expected number, received string' },
          { path: 'items[1].name', message: 'Invalid input: expected string, received undefined' },
        ],
        attempts: 3,
      },
    });
    expect(r.calls).toBe(3);
    expect(r.attempts).toEqual([
      [1, 'failed', 'validation'],
      [2, 'failed', 'validation'],
      [3, 'failed', 'validation'],
    ]);
    expect(triesOf(r.tries).map(([reask, ok]) => [reask, ok])).toEqual([
      [0, false],
      [1, false],
      [2, false],
    ]);
    expect(userMessages(r.requests[2])[1]).toContain('- items[1].name: Invalid input: expected string, received undefined');
  });

  it('answers without JSON are re-asked as no_json, and the rates per model add up from the stored events', async () => {
    server.reply({ content: 'I cannot help with that.' }, { content: `{"customer": "Ada", "items": [{"name": "tea", "price": 3},]}` });
    const r = await run('structured.nojson');
    expect(r.output).toEqual({ value: VALUE });
    expect(userMessages(r.requests[1])[1]).toBe(
      'Your previous answer was rejected: no JSON object or array found in the answer\nAnswer again with only the corrected JSON.',
    );
    expect(summarizeStructured(r.events)).toEqual([
      { model: 'gpt-4o-mini', tries: 2, repaired: 1, reasks: 1, ok: 1, failed: 1, repairRate: 0.5, reaskRate: 0.5, failureRate: 0.5 },
    ]);
  });

  it('in a fallback chain, each model is re-asked maxReasks times before the next one is asked afresh', async () => {
    const wrong = { content: '{"customer": "Ada", "items": [{"name": "tea"}]}' };
    server.reply(wrong, wrong, { content: GOOD });
    const alternative = (model: string) => ({
      name: model,
      run: structuredBody({ schema: Order, generate: openaiGenerate(server, model) }),
      retry: structuredRetry(1),
    });
    const wf = defineWorkflow('structured.fallback', async (ctx) =>
      ctx.fallback('order', [alternative('gpt-4o-mini'), alternative('gpt-4o')], { on: ['validation', 'rate_limit'] }),
    );
    engine = await startEngine({ workflows: [wf] });
    const before = server.requests.length;
    const handle = await engine.lifeline.start(wf, null);
    expect(await handle.result()).toEqual({ value: VALUE, alternative: 'gpt-4o' });
    const requests = server.requests.slice(before);
    expect(requests.map((r) => [(r.body as { model: string }).model, userMessages(r).length])).toEqual([
      ['gpt-4o-mini', 1],
      ['gpt-4o-mini', 2],
      ['gpt-4o', 1],
    ]);
    const rows = (await engine.lifeline.store.listAttempts(handle.runId)).map((a) => [a.attempt, a.alternative, a.outcome, a.errorClass, a.movedOn]);
    expect(rows).toEqual([
      [1, 'gpt-4o-mini', 'failed', 'validation', null],
      [
        2,
        'gpt-4o-mini',
        'failed',
        'validation',
        'validation: Structured output: the JSON does not match the schema (1 issue)\n- items[0].price: Invalid input: expected number, received undefined, moved to gpt-4o',
      ],
      [3, 'gpt-4o', 'succeeded', null, null],
    ]);
    const events = (await engine.lifeline.store.listEvents({ runId: handle.runId })).filter((e) => e.type === 'llm.structured');
    expect(summarizeStructured(events).map((m) => [m.model, m.tries, m.reasks, m.failed])).toEqual([
      ['gpt-4o', 1, 0, 0],
      ['gpt-4o-mini', 2, 1, 2],
    ]);
  });
});
