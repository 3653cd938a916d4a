// Graceful degradation (issue 8 §6): build every section whose inputs exist, pick the best
// level those sections meet, and always return an output with its level and what is missing.
import { checkDegradationOptions, FALLBACK_LEVEL, type DegradationOptions, type SectionReport } from './degradation-options.js';
import { isMissing, reasonOf } from './missing.js';

export interface DegradedOutput<O = Record<string, unknown>> {
  /** The best level met, or FALLBACK. */
  level: string;
  /** Whether the level is the best one (nothing the levels ask for is missing). */
  complete: boolean;
  output: O;
  /** Names of the sections built. */
  built: string[];
  /** The sections not built, each with why. */
  missing: SectionReport[];
}

export class Degradation<O = Record<string, unknown>> {
  private readonly levels: Array<[string, readonly string[]]>;

  constructor(private readonly options: DegradationOptions<O>) {
    checkDegradationOptions(options);
    this.levels = Object.entries(options.levels ?? { FULL: Object.keys(options.sections) });
  }

  /** The best level (the first one). */
  get best(): string {
    return this.levels[0]![0];
  }

  /**
   * Builds what it can from `inputs`. An input is missing when absent, undefined, or a Missing
   * (a failed step through settle(), a skipped DAG node); a section builder that throws only
   * loses its own section. Never throws for a missing input or a failed builder.
   */
  async assemble(inputs: Record<string, unknown>): Promise<DegradedOutput<O>> {
    const built: Record<string, unknown> = {};
    const missing: SectionReport[] = [];
    for (const [section, spec] of Object.entries(this.options.sections)) {
      const absent = spec.requires.find((name) => inputs[name] === undefined || isMissing(inputs[name]));
      if (absent !== undefined) {
        const value = inputs[absent];
        missing.push({ section, reason: `input "${absent}" is missing${isMissing(value) ? `: ${value.$missing}` : ''}` });
        continue;
      }
      try {
        built[section] = await spec.build(Object.fromEntries(spec.requires.map((name) => [name, inputs[name]])));
      } catch (error) {
        missing.push({ section, reason: `its builder threw: ${reasonOf(error)}` });
      }
    }
    const met = this.levels.find(([, sections]) => sections.every((s) => s in built));
    const names = Object.keys(built);
    if (!met) {
      const output = this.options.fallback ? this.options.fallback(built, missing) : (built as O);
      return { level: FALLBACK_LEVEL, complete: false, output, built: names, missing };
    }
    const [level] = met;
    const output = this.options.compose ? this.options.compose(built, level) : (built as O);
    return { level, complete: level === this.best, output, built: names, missing };
  }
}

export function degradation<O = Record<string, unknown>>(options: DegradationOptions<O>): Degradation<O> {
  return new Degradation(options);
}
