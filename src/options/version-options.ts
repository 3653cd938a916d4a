// Checks of the workflow-versions API (docs/time-travel.md, "Workflow versions"): patch ids.
import { InvalidOptionsError } from '../errors/options-error.js';
import { describeValue } from './option-check.js';

/** A patch id names a history slot (`patch:<id>#0`), so it is kept short and plain. */
export function checkPatchId(workflow: string, patchId: unknown, call: 'ctx.patched' | 'ctx.deprecatePatch'): asserts patchId is string {
  if (typeof patchId !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(patchId)) {
    throw new InvalidOptionsError(
      `Invalid patch id in ${call} of workflow "${workflow}": use 1-128 letters, digits, "_", ".", ":" or "-" (got ${describeValue(patchId)})`,
    );
  }
}
