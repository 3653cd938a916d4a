// `--log pretty`: pino's JSON lines turned into one readable line each, without a dev-only
// dependency (pino-pretty): time, level, the line's message, and the trace ids when present.
import { Writable } from 'node:stream';

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One readable line for a pino JSON line (a line that is not JSON is passed through). */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof record['time'] === 'string' ? record['time'] : new Date(Number(record['time'] ?? Date.now())).toISOString();
  const level = (LEVELS[Number(record['level'])] ?? String(record['level'])).padEnd(5);
  const trace = typeof record['trace_id'] === 'string' ? `  trace=${record['trace_id']} span=${String(record['span_id'])}` : '';
  return `${time} ${level} ${String(record['msg'] ?? record['event'] ?? '')}${trace}`;
}

/** A stream pino can write to that writes readable lines to `out`. */
export function prettyStream(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      let nl: number;
      let text = '';
      while ((nl = pending.indexOf('\n')) >= 0) {
        text += `${prettyLine(pending.slice(0, nl))}\n`;
        pending = pending.slice(nl + 1);
      }
      if (text === '') return done();
      out.write(text, () => done());
    },
  });
}
