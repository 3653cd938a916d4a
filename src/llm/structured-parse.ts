import { extractJson } from './structured-extract.js';
import { StructuredOutputError, type StructuredIssue } from './structured-error.js';

/**
 * A zod schema (zod 4 classic or mini; zod 3 works too), as far as this module uses it: its
 * `safeParse`. Read structurally, so zod is never loaded by Lifeline itself.
 */
export interface StructuredSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly SchemaIssue[] } };
}

/** The fields of a zod issue a re-ask names. */
export interface SchemaIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** The value a schema produces: zod 4's `_zod.output`, zod 3's `_output`. */
export type SchemaOutput<S> = S extends { _zod: { output: infer O } } ? O : S extends { _output: infer O } ? O : unknown;

/** A model's answer parsed against a schema: the value, or why not (its issues are the re-ask feedback). */
export type StructuredResult<T> = { ok: true; value: T; repaired: boolean } | { ok: false; error: StructuredOutputError; repaired: boolean };

/**
 * Extracts the JSON in `text` (extractJson: code fences, surrounding prose, jsonrepair) and
 * validates it with a zod 4 schema (classic or mini). Never throws for a bad answer: a failure is
 * `{ ok: false, error }` with a StructuredOutputError of kind `no_json`, `invalid_json` or
 * `schema_mismatch`, the last carrying every issue with its field path.
 */
export function parseStructured<S extends StructuredSchema>(text: string, schema: S): StructuredResult<SchemaOutput<S>> {
  let extracted;
  try {
    extracted = extractJson(text);
  } catch (error) {
    if (error instanceof StructuredOutputError) return { ok: false, error, repaired: false };
    throw error;
  }
  const checked = schema.safeParse(extracted.value);
  if (checked.success) return { ok: true, value: checked.data as SchemaOutput<S>, repaired: extracted.repaired };
  const error = new StructuredOutputError('schema_mismatch', checked.error.issues.map(toIssue), { cause: checked.error });
  return { ok: false, error, repaired: extracted.repaired };
}

/** A zod issue as a re-ask prompt names it: `items[2].price`, `(root)` for the value itself. */
export function toIssue(issue: SchemaIssue): StructuredIssue {
  return { path: fieldPath(issue.path), message: issue.message };
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(typeof key === 'symbol' ? key.toString() : key)}]`;
  }
  return out === '' ? '(root)' : out;
}
