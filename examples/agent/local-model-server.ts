// A tiny scripted OpenAI-compatible server for the research agent example: POST
// /v1/chat/completions on 127.0.0.1, no network. `local-large` is always rate limited (HTTP 429
// with Retry-After, as a provider over its quota answers); `local-small` answers with a JSON
// research note whose sources depend on the question, and reports token usage.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalModelServer {
  baseURL: string;
  /** Requests seen, per model and status: `local-large 429`, `local-small 200`. */
  calls: string[];
  close: () => Promise<void>;
}

interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
}

/** The scripted answer: a question mentioning "rumour" gets a note without sources. */
function note(question: string): string {
  const cited = !/rumou?r/i.test(question);
  return JSON.stringify({
    title: `Note: ${question}`,
    summary: `Three recent reports agree on the main point of "${question}"; one disagrees on the numbers.`,
    sources: cited ? ['https://example.org/report-a', 'https://example.org/report-b'] : [],
  });
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<ChatRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
}

async function handle(req: IncomingMessage, res: ServerResponse, calls: string[]): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return reply(res, 404, { error: { message: 'not found' } });
  const body = await readJson(req);
  if (body.model === 'local-large') {
    calls.push('local-large 429');
    return reply(
      res,
      429,
      { error: { message: 'Rate limit reached for local-large', type: 'requests', code: 'rate_limit_exceeded' } },
      { 'retry-after': '20' },
    );
  }
  calls.push(`${body.model} 200`);
  const question = body.messages.at(-1)?.content ?? '';
  const content = note(question);
  reply(res, 200, {
    id: `chatcmpl-${calls.length}`,
    object: 'chat.completion',
    created: 1_764_460_800,
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: {
      prompt_tokens: 40 + question.length,
      completion_tokens: Math.ceil(content.length / 4),
      total_tokens: 40 + question.length + Math.ceil(content.length / 4),
    },
  });
}

export async function startLocalModelServer(): Promise<LocalModelServer> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    handle(req, res, calls).catch((error: unknown) => reply(res, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    calls,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
