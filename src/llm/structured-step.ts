import type { RetryOptions } from '../policy/retry-policy.js';
import { isLifelineError } from '../errors/lifeline-error.js';
import type { PreviousFailure, StepInfo, WorkflowContext } from '../workflow/context.js';
import type { Duration } from '../workflow/duration.js';
import type { Jsonify } from '../workflow/jsonify.js';
import { StructuredOutputError, STRUCTURED_PREFIX, type StructuredIssue, type StructuredOutputKind } from './structured-error.js';
import { checkStructuredOptions, DEFAULT_MAX_REASKS, MAX_REASKS } from './structured-options.js';
import { checkNumber } from '../options/option-check.js';
import { markStructuredTry } from './llm-trace.js';
import { parseStructured, type SchemaOutput, type StructuredSchema } from './structured-parse.js';

/** What the next try is told about the last one that failed (undefined on the first try). */
export interface StructuredFeedback {
  /** Ready to append to the prompt: what was wrong, one line per field, and to answer with the corrected JSON only. */
  text: string;
  kind: StructuredOutputKind;
  /** The fields that failed the schema, with their paths (`items[2].price`). */
  issues: readonly StructuredIssue[];
  /** Which re-ask this try is: 1 for the first re-ask. */
  reask: number;
  /** The attempt whose answer failed. */
  attempt: number;
}

/** What `generate` may return: the answer's text, or the text with the model that wrote it (for insight). */
export type GeneratedAnswer = string | { text: string; model?: string };

export interface StructuredOptions<S extends StructuredSchema> {
  /** The zod schema (zod 4 classic or mini) the answer must match. */
  schema: S;
  /**
   * Asks the model once, with any SDK: append `feedback.text` to the prompt when it is set (a
   * re-ask). Called once per attempt of the step; `info` is the attempt's StepInfo (its signal,
   * cost ledger, alternative...).
   */
  generate: (feedback: StructuredFeedback | undefined, info: StepInfo) => Promise<GeneratedAnswer> | GeneratedAnswer;
  /** Re-asks after the first try before the step fails with a StructuredOutputError. Default 2 (0 to 20). */
  maxReasks?: number;
  /** The model name recorded in `llm.structured` events when `generate` does not return one. */
  model?: string;
}

export interface StructuredStepOptions<S extends StructuredSchema> extends StructuredOptions<S> {
  /** The step's retry policy for other failures; its `classes.validation` is set from `maxReasks`. */
  retry?: RetryOptions;
  /** Each try's timeout (default: the workflow's stepTimeout). */
  timeout?: Duration;
}

/**
 * One try of a structured answer, as a step body (or a fallback alternative's `run`): reads the
 * feedback of the last structured-output failure recorded for this step (and alternative) from
 * `info.previousFailures`, asks through `generate`, parses and validates the answer
 * (parseStructured), records an `llm.structured` event, and returns the value or throws the
 * StructuredOutputError (class validation) whose message the next try gets as feedback. The
 * number of re-asks is the step's retry policy's business (structuredStep sets it).
 */
export function structuredBody<S extends StructuredSchema>(options: StructuredOptions<S>): (info: StepInfo) => Promise<SchemaOutput<S>> {
  checkStructuredOptions(options, 'structuredBody', false);
  const { schema, generate } = options;
  return async (info) => {
    const alternative = (info as { alternative?: string }).alternative ?? null;
    const earlier = structuredFailures(info.previousFailures ?? [], alternative);
    const reask = earlier.length;
    const feedback = reask === 0 ? undefined : feedbackOf(earlier[reask - 1] as RecordedTry, reask);
    const answer = await generate(feedback, info);
    const { text, model } = answerOf(answer, options.model ?? alternative ?? 'unknown');
    markStructuredTry(info, model);
    const result =
      text === undefined
        ? { ok: false as const, repaired: false, error: new StructuredOutputError('no_json', [], { detail: 'the model returned no text' }) }
        : parseStructured(text, schema);
    info.emit?.('llm.structured', { model, repaired: result.repaired, reask, ok: result.ok, ...(result.ok ? {} : { kind: result.error.kind }) });
    if (result.ok) return result.value;
    throw result.error;
  };
}

/**
 * A durable step whose attempts are the tries of a structured answer: the first ask, then up to
 * `maxReasks` re-asks, each told what was wrong with the last. Each failed try is an attempt row
 * of class validation, so a crash or takeover continues with the feedback of the last recorded
 * try and never repeats it. Resolves with the validated value as stored (JSON); after the last
 * re-ask fails, rejects with a StructuredOutputError carrying the last try's issues.
 */
export async function structuredStep<S extends StructuredSchema>(
  ctx: WorkflowContext,
  name: string,
  options: StructuredStepOptions<S>,
): Promise<Jsonify<SchemaOutput<S>>> {
  const { maxReasks } = checkStructuredOptions(options, `structured step "${String(name)}"`, true);
  const { retry, timeout, ...structured } = options;
  const stepRetry = structuredRetry(maxReasks, retry);
  try {
    return await ctx.step(name, structuredBody(structured), timeout === undefined ? { retry: stepRetry } : { retry: stepRetry, timeout });
  } catch (error) {
    throw finalError(error);
  }
}

/**
 * A retry policy that re-asks: `retry` with validation failures (final by default) retried at
 * once, `maxReasks` times, for this step (or fallback alternative) only. The count is the
 * policy's: every failed try of the step counts towards it, a transient one in between too.
 */
export function structuredRetry(maxReasks: number = DEFAULT_MAX_REASKS, retry: RetryOptions = {}): RetryOptions {
  checkNumber(maxReasks, 'structuredRetry.maxReasks', MAX_REASKS);
  const validation = { retry: true, maxAttempts: maxReasks + 1, initialDelayMs: 0, maxDelayMs: 0 };
  return { ...retry, classes: { ...retry.classes, validation } };
}

/** The step failed for good: a structured-output failure comes back as a StructuredOutputError (on replay too). */
function finalError(error: unknown): unknown {
  if (!isLifelineError(error) || error.code !== 'STEP_FAILED' || error.errorClass !== 'validation') return error;
  const { lastMessage, attempts } = error as unknown as { lastMessage: string; attempts: number };
  const parsed = StructuredOutputError.parseMessage(lastMessage);
  if (!parsed) return error;
  return new StructuredOutputError(parsed.kind, parsed.issues, { attempts, detail: `after ${attempts} attempt${attempts === 1 ? '' : 's'}`, cause: error });
}

interface RecordedTry {
  attempt: number;
  message: string;
  kind: StructuredOutputKind;
  issues: StructuredIssue[];
}

/** The recorded tries of this step (and alternative) that failed as structured output, oldest first. */
function structuredFailures(failures: readonly PreviousFailure[], alternative: string | null): RecordedTry[] {
  const tries: RecordedTry[] = [];
  for (const f of failures) {
    if (f.errorClass !== 'validation' || (f.alternative ?? null) !== alternative) continue;
    const parsed = StructuredOutputError.parseMessage(f.message);
    if (parsed) tries.push({ attempt: f.attempt, message: f.message, ...parsed });
  }
  return tries;
}

function feedbackOf(last: RecordedTry, reask: number): StructuredFeedback {
  const what = last.message.slice(last.message.indexOf(STRUCTURED_PREFIX) + STRUCTURED_PREFIX.length);
  const text = `Your previous answer was rejected: ${what}\nAnswer again with only the corrected JSON.`;
  return { text, kind: last.kind, issues: last.issues, reask, attempt: last.attempt };
}

function answerOf(answer: GeneratedAnswer, fallbackModel: string): { text: string | undefined; model: string } {
  if (typeof answer === 'string') return { text: answer, model: fallbackModel };
  if (answer !== null && typeof answer === 'object' && typeof answer.text === 'string') {
    return { text: answer.text, model: typeof answer.model === 'string' && answer.model !== '' ? answer.model : fallbackModel };
  }
  return { text: undefined, model: fallbackModel };
}
