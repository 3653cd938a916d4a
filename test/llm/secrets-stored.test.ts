import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { defineWorkflow } from '../../src/workflow/define.js';
import { withoutSdkRetries } from '../../src/policy/sdk-retries.js';
import { createEventLogger } from '../../src/observe/event-log.js';
import { startEngine, type TestEngine } from '../helpers.js';
import { openaiError, startProviderServer, type ProviderServer } from './provider-server.js';

// A registered secret and a provider-echoed key fragment never reach the database or the logs.
const SECRET = 'corp!Vault#7';
const FRAGMENT = 'sk-abc***xyz1';
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

function allRowsText(db: string): string {
  const sqlite = new Database(db, { readonly: true });
  try {
    return ['runs', 'step_results', 'attempts', 'events'].map((t) => JSON.stringify(sqlite.prepare(`SELECT * FROM ${t}`).all())).join('\n');
  } finally {
    sqlite.close();
  }
}

describe('secrets in provider errors', () => {
  it('a registered secret and a short key fragment are redacted in stored errors, attempt messages, events and logs; the kind is stored', async () => {
    const client = new OpenAI(withoutSdkRetries({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' }));
    const wf = defineWorkflow('secrets.provider', async (ctx) =>
      ctx.step(
        'chat',
        async () => {
          const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
          return answer.choices[0]?.message.content ?? null;
        },
        { retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' } },
      ),
    );
    engine = await startEngine({ workflows: [wf], secrets: [SECRET] });
    const lines: string[] = [];
    const log = await createEventLogger(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    engine.lifeline.events.on('event', log);
    server.reply(
      { status: 500, body: openaiError(`upstream rejected credential ${SECRET} (key ${FRAGMENT})`, 'server_error') },
      {
        status: 429,
        headers: { 'x-ratelimit-reset-tokens': '30s' },
        body: openaiError(`You exceeded your current quota; org password ${SECRET}, key ${FRAGMENT}.`, 'insufficient_quota', 'insufficient_quota'),
      },
    );
    const handle = await engine.lifeline.start(wf, null);
    await expect(handle.result()).rejects.toThrow(
      'Step "chat#0" failed with configuration error after 2 attempts: 429 You exceeded your current quota; org password [REDACTED], key [REDACTED].',
    );

    const attempts = await engine.lifeline.store.listAttempts(handle.runId);
    expect(attempts.map((a) => [a.attempt, a.errorClass, a.errorMessage])).toEqual([
      [1, 'transient', '500 upstream rejected credential [REDACTED] (key [REDACTED])'],
      [2, 'configuration', '429 You exceeded your current quota; org password [REDACTED], key [REDACTED].'],
    ]);
    const run = await engine.lifeline.getRun(handle.runId);
    expect(run?.error).toMatchObject({ errorClass: 'configuration', kind: 'quota_exhausted', stepId: 'chat#0', attempts: 2 });
    expect(run?.error?.resetAt).toBeGreaterThan(0);
    const failed = engine.events.find((e) => e.type === 'step.failed');
    expect(failed?.data).toMatchObject({ errorClass: 'configuration', errorKind: 'quota_exhausted' });

    const rows = allRowsText(engine.db);
    expect(rows).toContain('quota_exhausted');
    expect(rows).toContain('[REDACTED]');
    expect(rows).not.toContain(SECRET);
    expect(rows).not.toContain('abc***xyz1');
    const logged = lines.join('');
    expect(logged).toContain('step.retrying');
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain('abc***xyz1');
  });
});
