// What other parts of Lifeline plug into the dashboard without it knowing them: extra run
// columns (activity state such as "retrying" or "stuck", progress and ETA) and insight
// sections (patterns, health, SLO burn, recovery metrics). The server receives them as options;
// by default there are none and the pages leave those places out.
import { redactSecrets } from '../errors/redact.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

/** One table cell: its text, and optionally a tone (shown as a coloured badge) and a tooltip. */
export interface Cell {
  text: string;
  tone?: Tone;
  title?: string;
}

/**
 * A column of the runs table, also shown on the run page. `cells` gets the runs shown (newest
 * first, at most a page) and returns a cell per run id; runs it leaves out show an empty cell.
 * The runs page filters by it with `?<key>=<cell text>` (a select of the values shown).
 */
export interface RunColumn {
  key: string;
  title: string;
  cells(runs: readonly RunRecord[], store: Store, now: number): Promise<ReadonlyMap<string, Cell>>;
}

/** A section of the insight page: a title, a verdict badge, a table. */
export interface InsightSection {
  title: string;
  verdict?: Cell;
  columns: string[];
  rows: Array<Array<string | number | Cell>>;
  /** A sentence under the table (e.g. how the numbers were computed). */
  note?: string;
}

export interface InsightProvider {
  sections(store: Store, now: number): Promise<InsightSection[]>;
}

export function cellOf(value: string | number | Cell): Cell {
  return typeof value === 'object' ? value : { text: String(value) };
}

/** A column's cells; a column that throws shows "unavailable" (with why) instead of breaking the page. */
export async function columnCells(column: RunColumn, runs: readonly RunRecord[], store: Store, now: number): Promise<ReadonlyMap<string, Cell>> {
  try {
    return await column.cells(runs, store, now);
  } catch (error) {
    const cell: Cell = { text: 'unavailable', tone: 'muted', title: redactSecrets(String((error as Error)?.message ?? error)) };
    return new Map(runs.map((r) => [r.id, cell]));
  }
}

/** The provider's sections; a provider that throws gives one section saying so. */
export async function insightSections(provider: InsightProvider, store: Store, now: number): Promise<InsightSection[]> {
  try {
    return await provider.sections(store, now);
  } catch (error) {
    const message = redactSecrets(String((error as Error)?.message ?? error));
    return [{ title: 'Insight unavailable', verdict: { text: 'error', tone: 'bad' }, columns: ['Error'], rows: [[message]] }];
  }
}
