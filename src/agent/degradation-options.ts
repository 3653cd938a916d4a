// degradation(options): sections, levels and the fallback, checked before anything is built.
import { checkArray, checkFunction, checkObject, checkOptions, checkString, optionError } from '../options/option-check.js';

export interface SectionSpec {
  /** Inputs the section cannot be built without. */
  requires: readonly string[];
  /** Builds the section from its inputs (all present); may be async; a throw only loses this section. */
  build: (inputs: Record<string, unknown>) => unknown;
}

export interface SectionReport {
  section: string;
  reason: string;
}

export interface DegradationOptions<O = Record<string, unknown>> {
  sections: Record<string, SectionSpec>;
  /** Best first: the first level whose sections were all built is the output's level. Default `{ FULL: every section }`. */
  levels?: Record<string, readonly string[]>;
  /** Builds the output of the level `FALLBACK` (no level met). Default: the built sections as they are. */
  fallback?: (built: Record<string, unknown>, missing: readonly SectionReport[]) => O;
  /** Builds the output of a met level from its built sections. Default: the built sections as they are. */
  compose?: (built: Record<string, unknown>, level: string) => O;
}

const WHERE = 'degradation';
export const FALLBACK_LEVEL = 'FALLBACK';

export function checkDegradationOptions(options: unknown): void {
  const o = checkOptions(options, WHERE, {
    sections: (value, path) => {
      const sections = checkObject(value, path);
      if (Object.keys(sections).length === 0) throw optionError(path, 'must name at least one section (got {})');
      for (const [name, spec] of Object.entries(sections)) {
        const s = checkOptions(spec, `${path}.${name}`, {
          requires: (v, p) => checkArray(v, p).forEach((input, i) => checkString(input, `${p}[${i}]`, 256)),
          build: checkFunction,
        });
        if (s.requires === undefined) throw optionError(`${path}.${name}.requires`, 'is required (an array of input names, [] for none)');
        if (s.build === undefined) throw optionError(`${path}.${name}.build`, 'is required (a function)');
      }
    },
    levels: checkObject,
    fallback: checkFunction,
    compose: checkFunction,
  });
  if (o.sections === undefined) throw optionError(`${WHERE}.sections`, 'is required (an object of sections)');
  const known = Object.keys(o.sections as object);
  const levels = (o.levels ?? {}) as Record<string, unknown>;
  if (o.levels !== undefined && Object.keys(levels).length === 0) throw optionError(`${WHERE}.levels`, 'must name at least one level (got {})');
  for (const [level, list] of Object.entries(levels)) {
    const path = `${WHERE}.levels.${level}`;
    if (level === FALLBACK_LEVEL) throw optionError(path, `is reserved: ${FALLBACK_LEVEL} is the level when no other is met`);
    checkArray(list, path).forEach((section, i) => {
      if (typeof section !== 'string' || !known.includes(section)) {
        throw optionError(`${path}[${i}]`, `must name a section (known: ${known.join(', ')}) (got ${JSON.stringify(section) ?? 'undefined'})`);
      }
    });
  }
}
