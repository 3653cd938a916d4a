// The runs table's activity and progress columns (src/observe/): what each run is doing
// ("retrying" and "stuck" as states of their own, with the reason as the tooltip) and how far it
// got with its ETA. One describeRuns call per page: never one query per run.
import { describeRuns } from '../observe/run-overview.js';
import type { ActivityState } from '../observe/run-activity.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';
import type { Cell, RunColumn, Tone } from './plugins.js';

const TONE: Record<ActivityState, Tone> = {
  pending: 'muted',
  running: 'info',
  retrying: 'warn',
  stuck: 'bad',
  waiting: 'info',
  sleeping: 'muted',
  deferred: 'warn',
  parked: 'bad',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'muted',
};

/** Overviews of one page of runs, computed once for both columns. */
function overviewCache(): (runs: readonly RunRecord[], store: Store, now: number) => ReturnType<typeof describeRuns> {
  let last: { runs: readonly RunRecord[]; result: ReturnType<typeof describeRuns> } | null = null;
  return (runs, store, now) => {
    if (last?.runs !== runs) last = { runs, result: describeRuns(store, runs, { now }) };
    return last.result;
  };
}

export function overviewColumns(): RunColumn[] {
  const overviews = overviewCache();
  const activity: RunColumn = {
    key: 'activity',
    title: 'Activity',
    cells: async (runs, store, now) =>
      new Map(
        (await overviews(runs, store, now)).map((o): [string, Cell] => [
          o.run.id,
          { text: o.activity.state, tone: TONE[o.activity.state], title: o.activity.reason },
        ]),
      ),
  };
  const progress: RunColumn = {
    key: 'progress',
    title: 'Progress',
    cells: async (runs, store, now) => new Map((await overviews(runs, store, now)).map((o): [string, Cell] => [o.run.id, { text: o.progress.text }])),
  };
  return [activity, progress];
}
