/** An `llm.structured` event's payload (src/store/events.ts), as read back from the store or the event stream. */
export interface StructuredTryEvent {
  model: string;
  repaired: boolean;
  reask: number;
  ok: boolean;
  kind?: string;
}

/** Per model: how its structured answers went. */
export interface StructuredModelStats {
  model: string;
  /** Answers parsed (every ask and re-ask). */
  tries: number;
  /** Tries whose JSON only parsed after repair. */
  repaired: number;
  /** Tries that were re-asks (reask >= 1). */
  reasks: number;
  /** Tries that validated. */
  ok: number;
  /** Tries that did not (no JSON, unrepairable JSON, schema mismatch). */
  failed: number;
  repairRate: number;
  reaskRate: number;
  failureRate: number;
}

/**
 * Repair and re-ask rates per model from `llm.structured` events, in any form they come:
 * `Lifeline.events` (data is the payload) or stored rows (`store.listEvents`, data is its JSON
 * text). Other events are skipped. Sorted by model name.
 */
export function summarizeStructured(events: Iterable<{ type: string; data?: unknown }>): StructuredModelStats[] {
  const byModel = new Map<string, StructuredModelStats>();
  for (const event of events) {
    if (event.type !== 'llm.structured') continue;
    const data = payload(event.data);
    if (data === undefined) continue;
    const s = byModel.get(data.model) ?? { model: data.model, tries: 0, repaired: 0, reasks: 0, ok: 0, failed: 0, repairRate: 0, reaskRate: 0, failureRate: 0 };
    s.tries++;
    if (data.repaired) s.repaired++;
    if (data.reask > 0) s.reasks++;
    if (data.ok) s.ok++;
    else s.failed++;
    byModel.set(data.model, s);
  }
  return [...byModel.values()]
    .map((s) => ({ ...s, repairRate: s.repaired / s.tries, reaskRate: s.reasks / s.tries, failureRate: s.failed / s.tries }))
    .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

function payload(data: unknown): StructuredTryEvent | undefined {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  const d = value as Partial<StructuredTryEvent> | null;
  if (d === null || typeof d !== 'object' || typeof d.model !== 'string' || typeof d.reask !== 'number') return undefined;
  return { model: d.model, repaired: d.repaired === true, reask: d.reask, ok: d.ok === true };
}
