// An LLM step: one durable step (ctx.fallback) that tries a list of models in order, each an
// alternative named by its model, with its own retries. Before each call the model's worst case
// is reserved against the workflow's cost caps (a refusal moves on to the next, cheaper model,
// or fails the step with BudgetExceededError when it was the last); after it, the real usage is
// committed to the ledger and reported to the step's shared token limits.
import { ClassifiedError } from '../policy/classified-error.js';
import { classifyError } from '../policy/classify.js';
import type { AlternativeInfo, FallbackAlternative, WorkflowContext } from '../workflow/context.js';
import { checkLlmStep } from './llm-options.js';
import { startModelCall } from './llm-trace.js';
import type { LlmAnswer, LlmModel, LlmResult, LlmStepOptions } from './llm-types.js';

/** The kinds that always move an LLM step on: a larger-context model, a cheaper model. */
const LLM_KINDS = ['context_overflow', 'budget_exceeded'] as const;

/** Output tokens reserved for a model that names neither maxOutputTokens nor contextWindow. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;

/**
 * Calls the models in order until one answers; resolves with its (parsed) output and which model
 * gave it. Replay returns the recorded result without calling anything. docs/llm.md, "Model
 * calls with fallback".
 */
export async function llmStep<Req, T = string>(ctx: WorkflowContext, name: string, options: LlmStepOptions<Req, T>): Promise<LlmResult<T>> {
  checkLlmStep(name, options);
  const estimated = options.estimatedInputTokens ?? Math.ceil((JSON.stringify(options.request) ?? '').length / 4);
  // In this process only: after a model's context overflowed, those not larger are passed over.
  const overflow: { window: number | undefined } = { window: undefined };
  const alternatives: FallbackAlternative<LlmResult<T>>[] = options.models.map((m) => ({
    name: m.model,
    run: (info) => callModel(m, options, estimated, overflow, info),
    ...(m.retry === undefined ? {} : { retry: m.retry }),
    ...(m.timeout === undefined ? {} : { timeout: m.timeout }),
    ...(m.breaker === undefined ? {} : { breaker: m.breaker }),
  }));
  const result = await ctx.fallback(name, alternatives, {
    onKinds: LLM_KINDS,
    ...(options.on === undefined ? {} : { on: options.on }),
    ...(options.classifiers === undefined ? {} : { classifiers: options.classifiers }),
  });
  return result.value as LlmResult<T>;
}

async function callModel<Req, T>(
  m: LlmModel<Req>,
  options: LlmStepOptions<Req, T>,
  estimated: number,
  overflow: { window: number | undefined },
  info: AlternativeInfo,
): Promise<LlmResult<T>> {
  if (overflow.window !== undefined && m.contextWindow !== undefined && m.contextWindow <= overflow.window) {
    throw new ClassifiedError(`context window of ${m.model} (${m.contextWindow} tokens) is not larger than the one that overflowed (${overflow.window})`, {
      errorClass: 'validation',
      kind: 'context_overflow',
    });
  }
  const worst = { inputTokens: estimated, outputTokens: worstOutputTokens(m, estimated) };
  const reserved = await info.cost.tryReserve({
    provider: m.provider,
    model: m.model,
    estimatedInputTokens: worst.inputTokens,
    maxOutputTokens: worst.outputTokens,
  });
  if (!reserved.ok) throw reserved.error; // kind budget_exceeded: the next model, or the step fails (configuration)
  let answer: LlmAnswer;
  // The call's GenAI span (llm-trace.ts) when the attempt is traced; the call runs in its context.
  const traced = startModelCall(info, m);
  try {
    const call = () => m.call(options.request, { model: m.model, provider: m.provider, maxOutputTokens: m.maxOutputTokens, signal: info.signal, step: info });
    answer = await (traced === null ? call() : traced.run(call));
  } catch (error) {
    const classification = classifyError(error);
    traced?.failed(classification.errorClass, error);
    if (classification.kind === 'context_overflow') overflow.window = Math.max(overflow.window ?? 0, m.contextWindow ?? 0);
    await reserved.reservation.release(); // a refused call bills nothing
    throw error;
  }
  const usage = answer.usage ?? null;
  // The real usage replaces the reservation; a call that reported none keeps its worst case as its cost.
  let costUsd: number | null = null;
  try {
    costUsd = (await reserved.reservation.commit(usage ?? worst)).costMicros / 1_000_000;
  } finally {
    traced?.answered(answer, costUsd);
  }
  if (usage !== null) info.reportUsage({ tokens: usage.inputTokens + usage.outputTokens });
  const output = options.parse ? await options.parse(answer, { model: m.model, step: info }) : (answer.text as T);
  return { output, model: m.model, responseModel: answer.model ?? null, finishReason: answer.finishReason ?? null, usage };
}

/** The output tokens the worst case assumes: the limit, else what the context window leaves, else a default. */
function worstOutputTokens(m: Pick<LlmModel<never>, 'maxOutputTokens' | 'contextWindow'>, estimatedInput: number): number {
  if (m.maxOutputTokens !== undefined) return m.maxOutputTokens;
  if (m.contextWindow !== undefined) return Math.max(0, m.contextWindow - estimatedInput);
  return DEFAULT_RESERVED_OUTPUT_TOKENS;
}
