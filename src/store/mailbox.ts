// A run's mailbox (issue 12 §6): the signals and messages sent to it, read in arrival order by
// ctx.receive() and listed by `lifeline show`. Store.listSignals reads it; consuming one is
// commitStep's `consumeSignalId`, as for waitForSignal.

export interface SignalFilter {
  runId: string;
  /** Only the signals no step consumed yet. */
  unread?: boolean;
  /** Only signals with one of these names (all names when absent). */
  names?: readonly string[];
  /** At most this many, oldest first. */
  limit?: number;
}

/** The default and the largest `limit` of a listSignals call. */
export const MAX_SIGNALS_LISTED = 10_000;

export function signalLimit(filter: SignalFilter): number {
  return Math.min(filter.limit ?? MAX_SIGNALS_LISTED, MAX_SIGNALS_LISTED);
}
