// SLO declarations (issue 10 §4): per workflow, a success ratio and/or a latency target over a
// period. Declared with Lifeline.open({ slos }) or in a JSON file (`lifeline insight slo
// --slo-file slos.json`, shape `{ "slos": [...] }`). One zod schema checks both; every problem is
// reported with the path of the field and the bound it broke.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeValue } from '../options/option-check.js';
import { InvalidOptionsError } from '../errors/options-error.js';
import { toMs, type Duration } from '../workflow/duration.js';

export interface SloSpec {
  /** The workflow the SLO is about: one SLO per workflow. */
  workflow: string;
  /** Fraction of finished runs that must complete (not fail), e.g. 0.99. */
  success?: number;
  /** Fraction of runs that must complete within `within` of their start, e.g. `{ within: '10m', target: 0.95 }`. */
  latency?: { within: Duration; target: number };
  /** The error budget's period, counted back from now. Default 30 days. */
  period?: Duration;
}

/** What an SLO promises, with times in ms. */
export interface Slo {
  workflow: string;
  success: number | null;
  latency: { withinMs: number; target: number } | null;
  periodMs: number;
}

export const DEFAULT_SLO_PERIOD_MS = 30 * 86_400_000;
const SPEC_FIELDS = ['workflow', 'success', 'latency', 'period'];
const LATENCY_FIELDS = ['within', 'target'];

const got = (input: unknown) => `(got ${describeValue(input)})`;

function msOf(value: unknown): number | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  try {
    return toMs(value as Duration, '');
  } catch {
    return null;
  }
}

const ratio = z.custom<number>((v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1, {
  error: (iss) => `must be a ratio above 0 and below 1, e.g. 0.99 ${got(iss.input)}`,
});

function duration(min: string, max: string) {
  const [lo, hi] = [msOf(min)!, msOf(max)!];
  return z.custom<Duration>(
    (v) => {
      const ms = msOf(v);
      return ms !== null && ms >= lo && ms <= hi;
    },
    { error: (iss) => `must be a duration from ${min} to ${max}, like "${min}" or ${hi} ms ${got(iss.input)}` },
  );
}

function strict<T extends z.ZodRawShape>(shape: T, known: string[]) {
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field ${iss.keys.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`
        : `must be an object ${got(iss.input)}`,
  });
}

const specSchema = strict(
  {
    workflow: z.string({ error: (iss) => `must be a workflow name ${got(iss.input)}` }).min(1, { error: 'must be a non-empty workflow name' }),
    success: ratio.optional(),
    latency: strict({ within: duration('1s', '30d'), target: ratio }, LATENCY_FIELDS).optional(),
    period: duration('1h', '365d').optional(),
  },
  SPEC_FIELDS,
).refine((spec) => spec.success !== undefined || spec.latency !== undefined, { error: 'must set success, latency or both' });

const slosSchema = z.array(specSchema, { error: (iss) => `must be an array of SLOs ${got(iss.input)}` }).superRefine((specs, ctx) => {
  const first = new Map<string, number>();
  specs.forEach((spec, i) => {
    const earlier = first.get(spec.workflow);
    if (earlier === undefined) first.set(spec.workflow, i);
    else ctx.addIssue({ code: 'custom', path: [i, 'workflow'], message: `"${spec.workflow}" already has an SLO at [${earlier}] (one SLO per workflow)` });
  });
});

const fileSchema = strict({ slos: slosSchema }, ['slos']);

function pathText(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

function toSlo(spec: SloSpec): Slo {
  return {
    workflow: spec.workflow,
    success: spec.success ?? null,
    latency: spec.latency === undefined ? null : { withinMs: msOf(spec.latency.within)!, target: spec.latency.target },
    periodMs: spec.period === undefined ? DEFAULT_SLO_PERIOD_MS : msOf(spec.period)!,
  };
}

/** Checks SLOs given in the API; `path` names the option (e.g. `Lifeline.open.slos`). */
export function parseSlos(value: unknown, path: string): Slo[] {
  const result = slosSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidOptionsError(`Invalid option ${path}${pathText(issue.path)}: ${issue.message}`);
  }
  return result.data.map(toSlo);
}

/** Reads and checks an SLO file (`{ "slos": [...] }`); errors name the file and the field's path in it. */
export function readSloFile(file: string): Slo[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidOptionsError(`Invalid SLO file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidOptionsError(`Invalid SLO file ${file}: not valid JSON (${(error as Error).message})`);
  }
  const result = fileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = pathText(issue.path).replace(/^\./, '');
    throw new InvalidOptionsError(`Invalid SLO file ${file}: ${where === '' ? '(root)' : where}: ${issue.message}`);
  }
  return result.data.slos.map(toSlo);
}
