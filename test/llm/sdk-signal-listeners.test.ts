// The openai SDK adds an abort listener to the signal of every request and never removes it. A
// run of twelve model-calling steps must not pile twelve listeners onto one long-lived signal
// (MaxListenersExceededWarning): each attempt gets a signal of its own.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { defineWorkflow } from '../../src/workflow/define.js';
import { startEngine } from '../helpers.js';
import { startProviderServer, type ProviderServer } from './provider-server.js';

let server: ProviderServer;

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

describe('a step signal per attempt', () => {
  it('twelve SDK calls in twelve steps of one run: no signal collects their listeners, no MaxListenersExceededWarning', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const listeners: number[] = [];
    const wf = defineWorkflow('signals.twelve', async (ctx) => {
      for (let i = 0; i < 12; i++) {
        await ctx.step('chat', async ({ signal }) => {
          const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${i}` }] }, { signal });
          listeners.push(getEventListeners(signal, 'abort').length);
          return answer.choices[0]?.message.content ?? null;
        });
      }
      return 'done';
    });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const engine = await startEngine({ workflows: [wf] });
    try {
      expect(await (await engine.lifeline.start(wf)).result()).toBe('done');
      // Warnings are emitted on the next tick: let them arrive.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
      await engine.close();
    }
    expect(listeners).toEqual(Array.from({ length: 12 }, () => 1)); // the SDK's own, on this attempt's signal only
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
