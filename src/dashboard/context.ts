// What every route of the dashboard works with.
import type { Lifeline } from '../engine/lifeline.js';
import type { EventFeed } from './event-feed.js';
import type { InsightProvider, RunColumn } from './plugins.js';

export interface DashboardContext {
  /** The client the pages read through (lifeline.store) and the actions act through. */
  lifeline: Lifeline;
  feed: EventFeed;
  csrfSecret: string;
  runColumns: readonly RunColumn[];
  insight: InsightProvider | undefined;
}

/** A flash message passed to the page a POST redirects to. */
export function flashOf(q: (name: string) => string | undefined): { text: string; error: boolean } | undefined {
  const done = q('done');
  if (done) return { text: done, error: false };
  const failed = q('failed');
  return failed ? { text: failed, error: true } : undefined;
}
