// The workspace of one (run, step): the agent's working directory, kept across the step's
// retries and resumes so the agent continues where it stopped. Lifeline's own records about it
// (the running process group, the agent's session id) sit in `.lifeline-agent/` inside it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const META_DIR = '.lifeline-agent';

export interface Workspace {
  /** The agent's cwd. */
  readonly dir: string;
  readonly meta: string;
}

/** A path segment from an id: safe characters kept, anything else replaced and a short hash added so ids stay distinct. */
export function safeSegment(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9._#-]/g, '_').slice(0, 80);
  if (cleaned === id && id !== '.' && id !== '..') return id;
  return `${cleaned}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

export function workspacePath(root: string, runId: string, stepId: string): string {
  return join(root, safeSegment(runId), safeSegment(stepId));
}

/** Creates the workspace if it is missing; an existing one (an earlier attempt's) is reused as it is. */
export function openWorkspace(root: string, runId: string, stepId: string): Workspace {
  const dir = workspacePath(root, runId, stepId);
  const meta = join(dir, META_DIR);
  mkdirSync(meta, { recursive: true });
  return { dir, meta };
}

/** Removes the workspace, and the run's folder once it holds no other step's workspace. */
export function removeWorkspace(root: string, runId: string, stepId: string): void {
  rmSync(workspacePath(root, runId, stepId), { recursive: true, force: true });
  try {
    rmdirSync(join(root, safeSegment(runId))); // fails while other steps' workspaces remain
  } catch {
    // not empty, or already gone
  }
}

/** Reads a small text record of the workspace; undefined when absent or unreadable. */
export function readRecord(ws: Workspace, name: string): string | undefined {
  try {
    return readFileSync(join(ws.meta, name), 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes a record atomically (write, then rename), so a crash never leaves half of one. */
export function writeRecord(ws: Workspace, name: string, text: string): void {
  const path = join(ws.meta, name);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export function removeRecord(ws: Workspace, name: string): void {
  rmSync(join(ws.meta, name), { force: true });
}
