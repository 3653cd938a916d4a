// The one way an attempt ends in a committed step record (a success, a final failure or default,
// a step cache hit): the store commit, fenced and guarded, with its events published once it
// landed. `storeEvents` false keeps them in-process only (a completion: see step-attempts.ts).
import type { CommitStepArgs, NewEvent } from '../store/store.js';
import type { AttemptHost } from './attempt-host.js';

export function commitStepRecord(
  host: AttemptHost,
  commit: Pick<CommitStepArgs, 'now' | 'step' | 'attempt'>,
  events: NewEvent[],
  storeEvents: boolean,
): Promise<boolean> {
  return host.guardCommit(() =>
    host.publish(events, (published) =>
      host.storeCall(() => host.deps.store.commitStep({ runId: host.runId, token: host.token, ...commit, ...(storeEvents ? { events: published } : {}) }), {
        abortable: true,
        commit: true,
      }),
    ),
  );
}
