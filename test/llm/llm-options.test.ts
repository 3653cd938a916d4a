// llmStep's options are checked before anything runs or is written, in a real workflow run:
// InvalidOptionsError naming the field and the bound, nothing called, no attempt recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import { llmStep } from '../../src/llm/llm-step.js';
import type { LlmStepOptions } from '../../src/llm/llm-types.js';
import { startEngine, type TestEngine } from '../helpers.js';

let engine: TestEngine;
let calls = 0;
const call = () => {
  calls++;
  return Promise.resolve({ text: 'hi' });
};
const model = (name: string, extra: object = {}) => ({ model: name, provider: 'openai', call, ...extra });

// The workflow (input: a case's index) catches its own call's error and returns what it was.
const wf = defineWorkflow('llm.options', async (ctx, index: number) => {
  try {
    await llmStep(ctx, 'answer', cases[index]![1]() as LlmStepOptions<unknown>);
    return 'ran';
  } catch (error) {
    return { invalid: error instanceof InvalidOptionsError, message: (error as Error).message };
  }
});

beforeAll(async () => {
  engine = await startEngine({ workflows: [wf], pricing: { onUnpriced: 'zero' } });
});
afterAll(async () => {
  await engine.close();
});

const cases: Array<[string, () => unknown, string]> = [
  ['an empty model list', () => ({ request: {}, models: [] }), 'Invalid option llmStep "answer".models: must name at least one model (got [])'],
  [
    'duplicate model names',
    () => ({ request: {}, models: [model('gpt-4o'), model('gpt-4o')] }),
    'Invalid option llmStep "answer".models[1].model: duplicates models[0].model: models must be unique (got "gpt-4o")',
  ],
  [
    'a negative maxOutputTokens',
    () => ({ request: {}, models: [model('gpt-4o', { maxOutputTokens: -1 })] }),
    'Invalid option llmStep "answer".models[0].maxOutputTokens: must be an integer from 1 to 1000000000 (got -1)',
  ],
  [
    'a fractional contextWindow',
    () => ({ request: {}, models: [model('gpt-4o', { contextWindow: 1.5 })] }),
    'Invalid option llmStep "answer".models[0].contextWindow: must be an integer from 1 to 1000000000 (got 1.5)',
  ],
  [
    'a negative estimatedInputTokens',
    () => ({ request: {}, estimatedInputTokens: -5, models: [model('gpt-4o')] }),
    'Invalid option llmStep "answer".estimatedInputTokens: must be an integer from 0 to 1000000000 (got -5)',
  ],
  [
    'a model without a provider',
    () => ({ request: {}, models: [{ model: 'gpt-4o', call }] }),
    'Invalid option llmStep "answer".models[0].provider: must be a non-empty string of at most 100 characters without NUL (got undefined)',
  ],
  [
    'a model without a call',
    () => ({ request: {}, models: [{ model: 'gpt-4o', provider: 'openai' }] }),
    'Invalid option llmStep "answer".models[0].call: must be a function (got undefined)',
  ],
  [
    'a misspelt model field',
    () => ({ request: {}, models: [model('gpt-4o', { maxTokens: 5 })] }),
    'Invalid option llmStep "answer".models[0].maxTokens: unknown option (known: model, provider, call, retry, timeout, maxOutputTokens, contextWindow, breaker)',
  ],
  ['no request', () => ({ models: [model('gpt-4o')] }), 'Invalid option llmStep "answer".request: is required (got undefined)'],
  ['a models field that is not an array', () => ({ request: {}, models: 'gpt-4o' }), 'Invalid option llmStep "answer".models: must be an array (got string)'],
  [
    'an unknown error class in on',
    () => ({ request: {}, on: ['flaky'], models: [model('gpt-4o')] }),
    'Invalid option llmStep "answer".on[0]: unknown error class (known: transient, rate_limit, timeout, dependency, configuration, validation, logic, interrupted, cancelled, unknown) (got "flaky")',
  ],
];

describe('llmStep options', () => {
  for (const [index, [what, , message]] of cases.entries()) {
    it(`${what}: InvalidOptionsError naming the field, nothing called or recorded`, async () => {
      const before = calls;
      const h = await engine.lifeline.start(wf, index);
      const result = (await h.result()) as { invalid: boolean; message: string };
      expect(result.invalid).toBe(true);
      expect(result.message).toBe(message);
      expect(calls).toBe(before);
      expect(await engine.lifeline.store.listAttempts(h.runId)).toEqual([]);
    });
  }
});
