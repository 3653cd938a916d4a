// lifeline.rewind(runId, { to, by }) (issue 12 §2): checked before anything is written, with the
// message shape of option-check.ts.
import { checkOptions, checkString, optionError } from './option-check.js';

export interface RewindOptions {
  /** The step to continue from: a step id (`fetch#0`) or a step name (its first occurrence). */
  to: string;
  /** Who rewinds (an operator's name), recorded in the `run.rewound` event. */
  by?: string;
}

const STEP_MAX = 500;
const BY_MAX = 200;

export function checkRewindOptions(value: unknown): RewindOptions {
  const where = 'rewind';
  if (value === undefined) throw optionError(`${where}.to`, 'is required: the step id (e.g. "fetch#0") or step name to continue from');
  const o = checkOptions(value, where, { to: () => {}, by: () => {} });
  if (o['to'] === undefined) throw optionError(`${where}.to`, 'is required: the step id (e.g. "fetch#0") or step name to continue from');
  const to = checkString(o['to'], `${where}.to`, STEP_MAX);
  const by = o['by'] === undefined ? undefined : checkString(o['by'], `${where}.by`, BY_MAX);
  return by === undefined ? { to } : { to, by };
}
