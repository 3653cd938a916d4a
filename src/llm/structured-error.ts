import { LifelineError } from '../errors/lifeline-error.js';

/** Why a model's answer was not the structured output asked for. */
export type StructuredOutputKind = 'no_json' | 'invalid_json' | 'schema_mismatch';

/** One field that failed the schema: its path as written in a re-ask prompt ("items[2].price") and zod's message. */
export interface StructuredIssue {
  path: string;
  message: string;
}

/** Every message this error writes starts so: how a recorded attempt is recognised as a structured-output try. */
export const STRUCTURED_PREFIX = 'Structured output: ';

const HEADERS: Record<StructuredOutputKind, string> = {
  no_json: `${STRUCTURED_PREFIX}no JSON object or array found in the answer`,
  invalid_json: `${STRUCTURED_PREFIX}the JSON in the answer could not be parsed, even after repair`,
  schema_mismatch: `${STRUCTURED_PREFIX}the JSON does not match the schema`,
};

/** Issues written into a message: the attempt row keeps 4000 characters, the feedback must fit. */
const MAX_ISSUES = 20;
const MAX_ISSUE_CHARS = 160;

/**
 * A model's answer held no JSON, JSON that could not be repaired, or JSON that failed the schema.
 * Class `validation`; `kind` says which. The message is the re-ask feedback: a header, then one
 * line per issue (`- items[2].price: Invalid input: expected number, received string`), so the
 * attempt row that records it is enough to re-ask after a crash (StructuredOutputError.fromMessage).
 */
export class StructuredOutputError extends LifelineError {
  readonly kind: StructuredOutputKind;
  readonly issues: readonly StructuredIssue[];
  /** Set on the final failure of a structured step: the attempts the step used. */
  readonly attempts: number | undefined;

  constructor(kind: StructuredOutputKind, issues: readonly StructuredIssue[] = [], options: { detail?: string; attempts?: number; cause?: unknown } = {}) {
    super('STRUCTURED_OUTPUT', 'validation', structuredMessage(kind, issues, options.detail), { cause: options.cause });
    this.kind = kind;
    this.issues = issues;
    this.attempts = options.attempts;
  }

  /**
   * Reads back what an earlier try recorded (an attempt row's message, or a StepFailedError's
   * last message): its kind and issues; undefined for a message this error did not write.
   */
  static parseMessage(message: string): { kind: StructuredOutputKind; issues: StructuredIssue[] } | undefined {
    const start = message.indexOf(STRUCTURED_PREFIX);
    if (start < 0) return undefined;
    const text = message.slice(start);
    const kind = (Object.keys(HEADERS) as StructuredOutputKind[]).find((k) => text.startsWith(HEADERS[k]));
    if (kind === undefined) return undefined;
    const issues: StructuredIssue[] = [];
    for (const line of text.split('\n').slice(1)) {
      const m = /^- (.*?): (.*)$/.exec(line);
      if (m) issues.push({ path: m[1] as string, message: m[2] as string });
    }
    return { kind, issues };
  }
}

function structuredMessage(kind: StructuredOutputKind, issues: readonly StructuredIssue[], detail: string | undefined): string {
  const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
  const head = `${HEADERS[kind]}${kind === 'schema_mismatch' ? ` (${count})` : ''}${detail === undefined ? '' : ` (${oneLine(detail)})`}`;
  const lines = issues.slice(0, MAX_ISSUES).map((i) => `- ${oneLine(i.path)}: ${oneLine(i.message)}`);
  if (issues.length > MAX_ISSUES) lines.push(`(and ${issues.length - MAX_ISSUES} more)`);
  return [head, ...lines].join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_ISSUE_CHARS ? `${flat.slice(0, MAX_ISSUE_CHARS - 1)}…` : flat;
}
