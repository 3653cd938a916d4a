// A research agent: the official openai SDK against a local OpenAI-compatible server that this
// script starts on 127.0.0.1 (local-model-server.ts; no network).
//   npm run example:research-agent
// It shows a model fallback (local-large answers 429, local-small answers), a cost cap (the
// workflow's budget; each call reserves its worst case and commits the real usage), the answer
// parsed and validated as JSON, and a strict quality gate before the "publish" side effect: the
// second question's note cites no source, so the gate stops that run before it publishes.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { z } from 'zod';
import { defineWorkflow, Lifeline, parseStructured, qualityGate, withoutSdkRetries, type LedgerEntry, type StepInfo } from '../../src/index.js';
import { startLocalModelServer } from './local-model-server.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeline-research-example-'));
const outbox = join(dir, 'outbox.jsonl');
const server = await startLocalModelServer();
// Lifeline retries by error class; the SDK's own retries would multiply its attempts.
const openai = new OpenAI(withoutSdkRetries({ baseURL: server.baseURL, apiKey: 'local-example-key' }));

const Note = z.object({ title: z.string(), summary: z.string().min(20), sources: z.array(z.url()) });

/** One model call: its worst case is reserved under the run's cost cap, then the real usage is committed. */
const ask = (model: string, question: string) => async (info: StepInfo) => {
  const reservation = await info.cost.reserve({ provider: 'local', model, estimatedInputTokens: 200, maxOutputTokens: 400 });
  const res = await openai.chat.completions.create(
    {
      model,
      max_tokens: 400,
      messages: [
        { role: 'system', content: 'Answer with a JSON research note.' },
        { role: 'user', content: question },
      ],
    },
    { signal: info.signal },
  );
  await reservation.commit({ inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0 });
  return res.choices[0]?.message.content ?? '';
};

const research = defineWorkflow(
  'example.research',
  async (ctx, question: string) => {
    const { value: text, alternative } = await ctx.fallback('research', [
      { name: 'local-large', run: ask('local-large', question) },
      { name: 'local-small', run: ask('local-small', question) },
    ]);
    // Structured output: the JSON is found in the answer (code fences, prose around it), repaired
    // if broken, and validated by the schema; a mismatch is a StructuredOutputError (class
    // validation) naming each field. structuredStep() would re-ask the model with those errors.
    const parsed = parseStructured(text, Note);
    if (!parsed.ok) throw parsed.error;
    const note = parsed.value;

    // A deeper follow-up would cost more than the run's cap allows: refused before any token is spent.
    const deepDive = await ctx.step('deep-dive', async (info) => {
      const call = { provider: 'local', model: 'local-small', estimatedInputTokens: 4000, maxOutputTokens: 20000 };
      const granted = await info.cost.tryReserve(call);
      if (!granted.ok) return `refused by the cost cap: ${granted.error.message}`;
      await granted.reservation.release();
      return 'granted';
    });

    const gate = await qualityGate(
      ctx,
      'publish',
      {
        'has-sources': () => ({ pass: note.sources.length > 0, detail: `${note.sources.length} source(s)` }),
        'long-enough': () => note.summary.split(' ').length >= 8,
      },
      { mode: 'strict' },
    );
    await ctx.step('publish', () => appendFileSync(outbox, `${JSON.stringify(note)}\n`));
    return {
      title: note.title,
      by: alternative,
      sources: note.sources.length,
      deepDive,
      gate: `${gate.verdict} (${gate.checks.filter((c) => c.pass).length}/${gate.checks.length} checks)`,
    };
  },
  { budget: { perRunUsd: 0.02 } },
);

const lifeline = await Lifeline.open({
  db: join(dir, 'research.db'),
  workflows: [research],
  pricing: {
    defaults: false,
    prices: [
      { model: 'local-large', since: '2026-01-01', inputPerMTok: 10, outputPerMTok: 30 },
      { model: 'local-small', since: '2026-01-01', inputPerMTok: 1, outputPerMTok: 2 },
    ],
  },
});
lifeline.events.on('event', (event) => {
  if (event.type === 'step.fallback') console.log(`  fallback   ${event.data.from} → ${event.data.to} (${event.data.reason})`);
});
lifeline.worker().start();

console.log(`Local OpenAI-compatible server on ${server.baseURL} (local-large answers 429, local-small answers)`);
const questions = ['How did battery prices change this year?', 'Is the rumour about a battery shortage true?'];
const runIds: string[] = [];
for (const [i, question] of questions.entries()) {
  console.log(`\nQuestion ${i + 1}: "${question}"`);
  const run = await lifeline.start(research, question);
  runIds.push(run.runId);
  try {
    const r = await run.result();
    console.log(`  answer     by ${r.by}: "${r.title}" with ${r.sources} source(s)`);
    console.log(`  deep dive  ${r.deepDive}`);
    console.log(`  gate       publish ${r.gate}`);
    console.log('  published  to the outbox');
  } catch {
    const failed = await lifeline.getRun(run.runId);
    console.log(`  stopped    [${failed?.error?.errorClass}] ${failed?.error?.message}`);
    console.log('  published  nothing');
  }
}

console.log('\nCosts (lifeline.listCosts)');
const usd = (micros: number): string => `$${(micros / 1_000_000).toFixed(6)}`;
for (const [i, runId] of runIds.entries()) {
  const entries = await lifeline.listCosts({ runId });
  const byModel = new Map<string, LedgerEntry[]>();
  for (const e of entries) byModel.set(e.model, [...(byModel.get(e.model) ?? []), e]);
  for (const [model, rows] of byModel) {
    const committed = rows.filter((e) => e.state === 'committed');
    const tokens = committed.reduce((sum, e) => [sum[0]! + e.inputTokens, sum[1]! + e.outputTokens], [0, 0]);
    const released = rows.filter((e) => e.state === 'released').length;
    const spent = committed.reduce((sum, e) => sum + e.costMicros, 0);
    const line = committed.length ? `${committed.length} call(s), ${tokens[0]} in / ${tokens[1]} out tokens, ${usd(spent)}` : 'no answer, nothing spent';
    console.log(`  run ${i + 1}  ${model}: ${line}${released ? ` (${released} reservation(s) released)` : ''}`);
  }
}
const all = (await Promise.all(runIds.map((runId) => lifeline.listCosts({ runId })))).flat();
console.log(`  total  ${usd(all.reduce((sum, e) => sum + e.costMicros, 0))} for ${runIds.length} runs (cap ${usd(20_000)} per run)`);
const published = existsSync(outbox) ? readFileSync(outbox, 'utf8').split('\n').filter(Boolean).length : 0;
console.log(`\nOutbox: ${published} of ${questions.length} notes published. Server saw: ${server.calls.join(', ')}.`);

await lifeline.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
