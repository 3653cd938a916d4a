// The `call` of an LLM step for the AI SDK's generateText. The user passes `generateText` and a
// function giving the language model for a model name (e.g. `(id) => openai.chat(id)` with
// @ai-sdk/openai): the package never imports the SDK (`ai` is an optional peer dependency, used
// here for types only). Each call runs with the SDK's retries off and the attempt's signal.
import type { generateText, GenerateTextResult, LanguageModel, ToolSet } from 'ai';
import { withoutSdkRetries } from '../policy/sdk-retries.js';
import type { LlmAnswer, LlmCall } from './llm-types.js';

type GenerateTextParams = Parameters<typeof generateText>[0];

/** generateText's options without the fields the step sets: model, output limit, signal, retries. */
export type AiSdkRequest = Omit<GenerateTextParams, 'model' | 'maxOutputTokens' | 'abortSignal' | 'maxRetries'>;

export interface AiSdkTextOptions {
  /** The AI SDK's `generateText` (import it from 'ai'). */
  generateText: typeof generateText;
  /** The language model for a model name, e.g. `(id) => openai.chat(id)`. */
  languageModel: (model: string) => LanguageModel;
}

/**
 * `call` for every model `languageModel` resolves: `models: [{ model: 'gpt-4o', provider:
 * 'openai', call: aiSdkText({ generateText, languageModel: (id) => openai.chat(id) }) }]`.
 */
export function aiSdkText(options: AiSdkTextOptions): LlmCall<AiSdkRequest> {
  return async (request, info) => {
    const params = withoutSdkRetries({
      ...request,
      model: options.languageModel(info.model),
      abortSignal: info.signal,
      ...(info.maxOutputTokens === undefined ? {} : { maxOutputTokens: info.maxOutputTokens }),
    }) as GenerateTextParams;
    return aiSdkAnswer(await options.generateText(params));
  };
}

/** Text, usage summed over the call's steps (cached input apart), model and finish reason. */
export function aiSdkAnswer(result: Pick<GenerateTextResult<ToolSet, never>, 'text' | 'totalUsage' | 'response' | 'finishReason'>): LlmAnswer {
  const answer: LlmAnswer = { text: result.text, model: result.response.modelId, finishReason: result.finishReason };
  const { inputTokens, outputTokens, inputTokenDetails } = result.totalUsage;
  if (inputTokens !== undefined || outputTokens !== undefined) {
    const cached = inputTokenDetails?.cacheReadTokens;
    answer.usage = { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, ...(cached ? { cachedInputTokens: cached } : {}) };
  }
  return answer;
}
