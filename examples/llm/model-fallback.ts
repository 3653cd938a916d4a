// Model fallback: gpt-4o is rate limited, so gpt-4o-mini answers. The example serves the OpenAI
// wire format itself on 127.0.0.1 (no network, no key needed).
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { defineWorkflow, Lifeline, llmStep } from '../../src/index.js';
import { openaiChat } from '../../src/exports/openai.js';

// A stand-in for the provider: HTTP 429 for gpt-4o, an answer from any other model.
const provider = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const { model } = JSON.parse(body) as { model: string };
    if (model === 'gpt-4o') {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached for gpt-4o', type: 'requests', code: 'rate_limit_exceeded' } }));
      return;
    }
    const message = { role: 'assistant', content: 'Revenue rose 4%.', refusal: null };
    const usage = { prompt_tokens: 40, completion_tokens: 6, total_tokens: 46 };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 0, model, choices: [{ index: 0, message, finish_reason: 'stop' }], usage }));
  });
});
await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
const client = new OpenAI({ baseURL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`, apiKey: 'local' });

const summarize = defineWorkflow(
  'summarize',
  async (ctx, report: string) =>
    llmStep(ctx, 'summary', {
      request: { messages: [{ role: 'user', content: `Summarise: ${report}` }] },
      models: [
        { model: 'gpt-4o', provider: 'openai', call: openaiChat(client), maxOutputTokens: 200 },
        { model: 'gpt-4o-mini', provider: 'openai', call: openaiChat(client), maxOutputTokens: 200, retry: { maxAttempts: 3 } },
      ],
    }),
  { budget: { perRunUsd: 0.05 } },
);

const lifeline = await Lifeline.open({ db: join(mkdtempSync(join(tmpdir(), 'llm-')), 'llm.db'), workflows: [summarize] });
lifeline.worker().start();
const run = await lifeline.start(summarize, 'Q3 revenue was 104, Q2 100.');
const { model, output } = await run.result();
console.log(`${model}: ${output}`);
for (const a of await lifeline.store.listAttempts(run.runId))
  console.log(`attempt ${a.attempt} ${a.alternative} ${a.outcome}${a.movedOn === null ? '' : ` (${a.movedOn})`}`);
for (const c of await lifeline.listCosts({ runId: run.runId }))
  console.log(`ledger ${c.model} ${c.state} ${c.inputTokens}+${c.outputTokens} tokens $${c.costMicros / 1e6}`);
await lifeline.close();
provider.close();
