// A worker's row in the workers table (issue 12 §4; store/versions.ts): which (workflow, version)
// pairs it loaded, so that a run waiting for another version can say what live workers have.
// Written at the first poll, then at most every WORKER_RECORD_EVERY_MS or when the loaded set
// changes (a soft write); deleted when the worker stops.
import type { Store } from '../store/store.js';
import { FORGET_WORKER_MS, versionKey, WORKER_RECORD_EVERY_MS } from '../store/versions.js';
import type { Clock } from '../time/clock.js';
import type { WorkflowDefinition } from '../workflow/define.js';
import { loadedVersions } from '../workflow/versions.js';

export interface WorkerRecorderDeps {
  store: Store;
  clock: Clock;
  id: string;
  host: string;
  pid: number;
}

export class WorkerRecorder {
  private startedAt: number | null = null;
  private lastAt = -Infinity;
  private lastKeys = '';
  private recorded = false;

  constructor(private readonly deps: WorkerRecorderDeps) {}

  async record(defs: readonly WorkflowDefinition[]): Promise<void> {
    const now = this.deps.clock.now();
    const workflows = loadedVersions(defs);
    const keys = workflows.map((w) => versionKey(w.workflow, w.version)).join('\n');
    if (keys === this.lastKeys && now - this.lastAt < WORKER_RECORD_EVERY_MS) return;
    this.startedAt ??= now;
    const { id, host, pid } = this.deps;
    await this.deps.store.recordWorker({ id, host, pid, workflows, startedAt: this.startedAt, now, forgetBefore: now - FORGET_WORKER_MS });
    this.lastAt = now;
    this.lastKeys = keys;
    this.recorded = true;
  }

  async forget(): Promise<void> {
    if (this.recorded) await this.deps.store.forgetWorker(this.deps.id);
  }
}
