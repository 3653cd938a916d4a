import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local HTTP server speaking the OpenAI chat completions and the Anthropic messages wire
 * formats, for driving the real SDKs. Each request takes the next scripted reply (or a normal
 * answer when none is queued): a status with headers and an error body, a hang (for timeouts),
 * a cut connection, or an answer with a finish reason and usage.
 */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** The JSON body of an error (or any) answer; when absent, a normal answer for the route. */
  body?: unknown;
  /** Never answer: the request stays open until the client gives up or the server closes. */
  hang?: boolean;
  /** Destroy the connection after reading the request, without an answer. */
  cut?: boolean;
  /** Normal answer: finish reason in the route's vocabulary (OpenAI "length", Anthropic "max_tokens"). */
  finishReason?: string;
  content?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface ProviderServer {
  /** http://127.0.0.1:PORT/v1, the baseURL for the openai SDK and the AI SDK. */
  readonly openaiBaseURL: string;
  /** http://127.0.0.1:PORT, the baseURL for the Anthropic SDK. */
  readonly anthropicBaseURL: string;
  readonly requests: RecordedRequest[];
  /** Queue replies, used in order by the next requests. */
  reply(...replies: Reply[]): void;
  /** Resolves when `n` requests have arrived (for a hanging request: it is in). */
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

export const USAGE = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };

/** OpenAI's error body. */
export function openaiError(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

/** Anthropic's error body. */
export function anthropicError(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

export async function startProviderServer(): Promise<ProviderServer> {
  const queue: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // not JSON: kept as text
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push({ method: req.method ?? '', path, headers: req.headers, body });
    for (const w of waiters.filter((w) => requests.length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const reply = queue.shift() ?? {};
    if (reply.cut) {
      req.socket.destroy();
      return;
    }
    if (reply.hang) return;
    const status = reply.status ?? 200;
    const payload = reply.body ?? normalAnswer(path, body, reply);
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}`, ...reply.headers });
    res.end(JSON.stringify(payload));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    openaiBaseURL: `http://127.0.0.1:${port}/v1`,
    anthropicBaseURL: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => queue.push(...replies),
    waitForRequests: (n) => (requests.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function normalAnswer(path: string, request: unknown, reply: Reply): unknown {
  const model = (request as { model?: string } | null)?.model ?? 'test-model';
  const content = reply.content ?? 'hello';
  if (path.endsWith('/messages')) {
    return {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: content }],
      stop_reason: reply.finishReason ?? 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: USAGE.prompt_tokens, output_tokens: USAGE.completion_tokens },
    };
  }
  if (path.endsWith('/chat/completions')) {
    return {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: reply.finishReason ?? 'stop', logprobs: null }],
      usage: USAGE,
    };
  }
  return { error: { message: `no route ${path}`, type: 'invalid_request_error', param: null, code: null } };
}
