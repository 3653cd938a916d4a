// Fake "models" and dependencies of the toolkit pipeline: in-process, deterministic, no network.
// Each behaves the way its real counterpart misbehaves: a model that hangs, an API that fails
// until it recovers, an analyst short of data, a writer that ignores its reviewer.
import { ClassifiedError } from '../../src/index.js';
import { connectionReset, work } from './agents.js';

/** A model that never answers: it only stops when its timeout aborts the call. */
export function hangingModel(signal: AbortSignal): Promise<string> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

/** A model that answers quickly. */
export async function answeringModel(topic: string, signal: AbortSignal): Promise<string> {
  await work(20, signal);
  return `${topic}: revenue up 4%, churn steady at 3.1%`;
}

/** A market-data API that resets the connection on its first `failures` calls, then recovers. */
export async function flakyMarketApi(attempt: number, failures: number): Promise<{ share: number }> {
  await Promise.resolve();
  if (attempt <= failures) throw connectionReset();
  return { share: 0.18 };
}

/** An analyst that refuses to conclude without the helper's extra data. */
export function analyst(share: number, extra: unknown): string {
  if (extra === undefined) throw new ClassifiedError('insufficient data: one source for a market estimate', { errorClass: 'validation' });
  return `market share ${(share * 100).toFixed(0)}% (checked against ${String(extra)})`;
}

/** The data_helper: finds the sources the analyst asked for. */
export function dataHelper(topic: string): string {
  return `${topic} — warehouse export`;
}

/** A writer stuck on one draft until a person's note gets it out of the rut. */
export function writer(analysis: string, note: string | null): string {
  return note === null ? `Draft: ${analysis}.` : `Draft: ${analysis}; ${note}.`;
}

/** The reviewer: a draft must cite its source. */
export function review(draft: string): { approved: boolean; note: string } {
  return draft.includes('source:') ? { approved: true, note: 'approved' } : { approved: false, note: 'cite the source' };
}
