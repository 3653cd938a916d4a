// Reads an agent's stdout as it arrives. `text` keeps it; `json` parses one final object at the
// end (like `claude -p --output-format json`); `jsonl` reads a stream of JSON lines (like
// `--output-format stream-json`): the session id as soon as it is told, a turn per assistant
// message (sampled into events), and the final `result` object with cost, turns and usage.
import type { OutputFormat } from './options.js';

/** What the reader reports while the process runs. */
export interface OutputSink {
  session(sessionId: string): void;
  turn(turn: number, detail: string): void;
}

/** The agent's final report, in the fields headless coding agents use. */
export interface AgentFinal {
  raw: Record<string, unknown>;
  sessionId: string | null;
  isError: boolean;
  subtype: string | null;
  result: string | null;
  costUsd: number | null;
  turns: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  model: string | null;
}

/** stdout kept in memory at most; beyond it the start is dropped (the end holds the result). */
const MAX_KEPT_CHARS = 4 * 1024 * 1024;
const DETAIL_CHARS = 200;

export class OutputReader {
  private kept = '';
  private pending = '';
  private turns = 0;
  private final: AgentFinal | null = null;
  private sessionId: string | null = null;
  /** Lines that were not JSON (jsonl) */
  unparsedLines = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly sink: OutputSink,
  ) {}

  push(chunk: string): void {
    this.kept += chunk;
    if (this.kept.length > MAX_KEPT_CHARS) this.kept = this.kept.slice(-MAX_KEPT_CHARS);
    if (this.format !== 'jsonl') return;
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
    if (this.pending.length > MAX_KEPT_CHARS) this.pending = ''; // one absurd line: dropped, not kept growing
  }

  /** Call once stdout ended. */
  end(): { stdout: string; final: AgentFinal | null; sessionId: string | null; turns: number } {
    if (this.format === 'jsonl' && this.pending.trim() !== '') this.line(this.pending);
    if (this.format === 'json') {
      const obj = parseObject(this.kept.trim()) ?? parseObject(lastLine(this.kept));
      if (obj) this.final = readFinal(obj);
      if (this.final?.sessionId) this.seeSession(this.final.sessionId);
    }
    return { stdout: this.kept, final: this.final, sessionId: this.sessionId, turns: this.final?.turns ?? this.turns };
  }

  private line(text: string): void {
    if (text.trim() === '') return;
    const obj = parseObject(text);
    if (!obj) {
      this.unparsedLines++;
      return;
    }
    const session = str(obj.session_id);
    if (session) this.seeSession(session);
    if (obj.type === 'assistant') {
      this.turns++;
      this.sink.turn(this.turns, previewOf(obj).slice(0, DETAIL_CHARS));
    } else if (obj.type === 'result') {
      this.final = readFinal(obj);
    }
  }

  private seeSession(id: string): void {
    if (id === this.sessionId) return;
    this.sessionId = id;
    this.sink.session(id);
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim();
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function readFinal(obj: Record<string, unknown>): AgentFinal {
  const usage = (obj.usage !== null && typeof obj.usage === 'object' ? obj.usage : {}) as Record<string, unknown>;
  return {
    raw: obj,
    sessionId: str(obj.session_id),
    isError: obj.is_error === true,
    subtype: str(obj.subtype),
    result: typeof obj.result === 'string' ? obj.result : null,
    costUsd: num(obj.total_cost_usd) ?? num(obj.cost_usd),
    turns: num(obj.num_turns),
    inputTokens: num(usage.input_tokens),
    outputTokens: num(usage.output_tokens),
    cachedInputTokens: num(usage.cache_read_input_tokens),
    model: str(obj.model),
  };
}

/** The text of an assistant message (`message.content[].text`), or its first tool use's name. */
function previewOf(obj: Record<string, unknown>): string {
  const message = obj.message as { content?: unknown } | undefined;
  const content = Array.isArray(message?.content) ? (message.content as Array<Record<string, unknown>>) : [];
  const text = content.map((c) => (typeof c.text === 'string' ? c.text : typeof c.name === 'string' ? `[tool ${c.name}]` : '')).join(' ');
  return text.replace(/\s+/g, ' ').trim();
}
