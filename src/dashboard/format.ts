// Values as the dashboard shows them: status tones, durations, and stored JSON redacted and
// truncated (a page never carries a whole large output or a secret).
import { redactSecrets } from '../errors/redact.js';
import type { RunStatus } from '../store/types.js';
import type { Cell, Tone } from './plugins.js';

export const PREVIEW_CHARS = 2000;

const STATUS_TONES: Record<RunStatus, Tone> = {
  pending: 'info',
  running: 'info',
  sleeping: 'muted',
  waiting: 'warn',
  parked: 'bad',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'muted',
};

export function statusCell(status: string): Cell {
  return { text: status, tone: STATUS_TONES[status as RunStatus] ?? outcomeTone(status) };
}

function outcomeTone(outcome: string): Tone {
  if (outcome === 'succeeded') return 'ok';
  if (outcome === 'failed' || outcome === 'timeout') return 'bad';
  if (outcome === 'interrupted') return 'warn';
  return 'muted';
}

/** Stored JSON (or any text) pretty-printed, redacted, and cut at `max` characters. */
export function preview(json: string | null, max = PREVIEW_CHARS): string {
  if (json === null) return '';
  let text = json;
  try {
    text = JSON.stringify(JSON.parse(json) as unknown, null, 2);
  } catch {
    // not JSON: shown as it is
  }
  text = redactSecrets(text);
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

export function duration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}
