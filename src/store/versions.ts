// Workflow versions (issue 12 §4; docs/decisions/2026-11-30-workflow-versions.md): the pairs a
// worker loads and a run is pinned to, and the workers table that says which pairs live workers
// have loaded (Store.recordWorker / listWorkers / forgetWorker).

/** A workflow name and a version of it (null: unversioned), as a worker loads it and a run is pinned to it. */
export interface WorkflowVersion {
  workflow: string;
  version: number | null;
}

/**
 * How a (workflow, version) pair is written in claims and in the workers table: `name@version`,
 * `name@` when unversioned. Workflow names cannot contain "@", so the text is unambiguous.
 */
export function versionKey(workflow: string, version: number | null): string {
  return `${workflow}@${version ?? ''}`;
}

export function parseVersionKey(key: string): WorkflowVersion {
  const at = key.lastIndexOf('@');
  const version = key.slice(at + 1);
  return { workflow: key.slice(0, at), version: version === '' ? null : Number(version) };
}

/** "version 2", or "no version" for null: how messages name a version. */
export function versionLabel(version: number | null): string {
  return version === null ? 'no version' : `version ${version}`;
}

/** What a worker said about itself when it last recorded itself. */
export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  /** The (workflow, version) pairs it loaded, in the order it gave them. */
  workflows: WorkflowVersion[];
  startedAt: number;
  lastSeenAt: number;
}

export interface RecordWorkerArgs {
  id: string;
  host: string;
  pid: number;
  workflows: readonly WorkflowVersion[];
  /** Kept from the first record of this id. */
  startedAt: number;
  now: number;
  /** Rows of other workers last seen before this time are deleted in the same write (dead workers are forgotten). */
  forgetBefore: number;
}

export interface WorkerFilter {
  /** Only workers last seen at or after this time (the live ones). */
  seenSince?: number;
}

/** The workers table's row, as both backends read it. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  workflows: string;
  started_at: number | string;
  last_seen_at: number | string;
}

export function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    workflows: (JSON.parse(row.workflows) as string[]).map(parseVersionKey),
    startedAt: Number(row.started_at),
    lastSeenAt: Number(row.last_seen_at),
  };
}

/** The stored form of a worker's loaded pairs: a JSON array of versionKey()s. */
export function workflowsText(workflows: readonly WorkflowVersion[]): string {
  return JSON.stringify(workflows.map((w) => versionKey(w.workflow, w.version)));
}

/** A worker records itself at start and then at most this often, from its poll loop. */
export const WORKER_RECORD_EVERY_MS = 5_000;
/** A worker seen within this long is live: its loaded versions count for "live workers have ...". */
export const LIVE_WORKER_MS = 30_000;
/** Rows of workers not seen for this long are deleted by the next worker that records itself. */
export const FORGET_WORKER_MS = 60 * 60_000;
