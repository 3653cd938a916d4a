// Which mode a quality gate runs in. The environment overrides the code, so one workflow runs
// strict in CI, warn in development and off where a check cannot run: LIFELINE_GATE_<NAME> for
// one gate, then LIFELINE_GATE_MODE for all, then the gate's `mode` option, then strict.
import { InvalidOptionsError } from '../errors/options-error.js';
import { describeValue } from '../options/option-check.js';

export type GateMode = 'strict' | 'warn' | 'off';

export const GATE_MODES: readonly GateMode[] = ['strict', 'warn', 'off'];

/** The variable that sets every gate's mode. */
export const ALL_GATES_VARIABLE = 'LIFELINE_GATE_MODE';

/** The variable for one gate: its name upper-cased, each run of other characters an underscore. */
export function gateVariable(name: string): string {
  return `LIFELINE_GATE_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

export interface ResolvedMode {
  mode: GateMode;
  /** `option`, `default`, or the variable that set it. */
  source: string;
}

/** Reads the environment now: call it inside the gate's step, so the mode used is recorded. */
export function resolveGateMode(name: string, option: GateMode | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedMode {
  for (const variable of [gateVariable(name), ALL_GATES_VARIABLE]) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (!(GATE_MODES as readonly string[]).includes(value)) {
      throw new InvalidOptionsError(`Invalid environment variable ${variable}: must be one of "strict", "warn", "off" (got ${describeValue(value)})`);
    }
    return { mode: value as GateMode, source: variable };
  }
  return option === undefined ? { mode: 'strict', source: 'default' } : { mode: option, source: 'option' };
}
