// Bench-only instrumentation of node-postgres (src/ is not modified): wraps pg.Client's query()
// at runtime and counts the statements this process sends, by prepared-statement name (or the
// first words of the SQL), with the time from query() to its result (queueing on the connection,
// round trip, server execution and, for a durable commit, the WAL flush).
import pg from 'pg';

export interface StatementStats {
  count: number;
  ms: number;
}

const stats = new Map<string, StatementStats>();
let installed = false;

function labelOf(config: unknown): string {
  if (typeof config === 'string') return config.trim().split(/\s+/).slice(0, 2).join(' ');
  const c = config as { name?: unknown; text?: unknown } | null;
  if (typeof c?.name === 'string') return c.name;
  if (typeof c?.text === 'string') return c.text.trim().split(/\s+/).slice(0, 2).join(' ');
  return 'other';
}

function record(label: string, t0: number): void {
  const s = stats.get(label) ?? { count: 0, ms: 0 };
  s.count++;
  s.ms += performance.now() - t0;
  stats.set(label, s);
}

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

export function installPgProbe(): void {
  if (installed) return;
  installed = true;
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  proto.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown): unknown {
    const label = labelOf(config);
    const t0 = performance.now();
    if (typeof callback === 'function') {
      const cb = callback as (...a: unknown[]) => unknown;
      return original.call(this, config, values, (...a: unknown[]) => {
        record(label, t0);
        return cb(...a);
      });
    }
    if (typeof values === 'function') {
      const cb = values as (...a: unknown[]) => unknown;
      return original.call(this, config, (...a: unknown[]) => {
        record(label, t0);
        return cb(...a);
      });
    }
    const result = original.call(this, config, values, callback);
    if (result instanceof Promise) {
      void result.then(
        () => record(label, t0),
        () => record(label, t0),
      );
    }
    return result;
  };
}

export function resetPgProbe(): void {
  stats.clear();
}

/** Statements sent since the last reset, per label, ms rounded; `per` divides (e.g. per step). */
export function pgProbeSnapshot(per = 1): Record<string, { count: number; ms: number; msEach: number }> {
  const out: Record<string, { count: number; ms: number; msEach: number }> = {};
  for (const [label, s] of [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    out[label] = {
      count: Math.round((s.count / per) * 1000) / 1000,
      ms: Math.round((s.ms / per) * 1000) / 1000,
      msEach: Math.round((s.ms / s.count) * 1000) / 1000,
    };
  }
  return out;
}
