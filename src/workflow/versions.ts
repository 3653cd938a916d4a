// Which definition of a workflow applies (issue 12 §4): a process may load several versions of
// one workflow; a run executes on the definition of the version it is pinned to, and a start by
// name (or a schedule) pins the highest version loaded. Unversioned (null) counts below version 1.
import type { WorkflowVersion } from '../store/versions.js';
import type { WorkflowDefinition } from './define.js';

const rank = (version: number | null) => version ?? 0;

/** The definition of each workflow name with the highest version, in first-seen order of names. */
export function latestDefinitions(defs: readonly WorkflowDefinition[]): WorkflowDefinition[] {
  const byName = new Map<string, WorkflowDefinition>();
  for (const def of defs) {
    const seen = byName.get(def.name);
    if (seen === undefined || rank(def.version ?? null) > rank(seen.version ?? null)) byName.set(def.name, def);
  }
  return [...byName.values()];
}

/** The definition of `name` that a run pinned to `version` executes on, if loaded. */
export function definitionFor(defs: readonly WorkflowDefinition[], name: string, version: number | null): WorkflowDefinition | undefined {
  return defs.find((d) => d.name === name && (d.version ?? null) === version);
}

/** The (workflow, version) pairs of the loaded definitions: what a worker claims and records. */
export function loadedVersions(defs: readonly WorkflowDefinition[]): WorkflowVersion[] {
  return defs.map((d) => ({ workflow: d.name, version: d.version ?? null }));
}
