// The `call` of an LLM step for the official openai SDK's chat completions. The user passes
// their client (the package never imports the SDK: `openai` is an optional peer dependency, used
// here for types only). Each request runs with the SDK's retries off and the attempt's signal.
import type OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { withoutSdkRetries } from '../policy/sdk-retries.js';
import type { LlmAnswer, LlmCall } from './llm-types.js';

/** A chat completions request without the fields the step sets (model, output limit) or refuses (streaming). */
export type OpenAIChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model' | 'stream' | 'max_tokens' | 'max_completion_tokens'>;

/** The part of an `OpenAI` client the call uses. */
export type OpenAIChatClient = Pick<OpenAI, 'chat'>;

/**
 * `call` for every model served by `client`: `models: [{ model: 'gpt-4o', provider: 'openai',
 * call: openaiChat(client) }]`. The model's maxOutputTokens is sent as `max_completion_tokens`.
 */
export function openaiChat(client: OpenAIChatClient): LlmCall<OpenAIChatRequest> {
  return async (request, info) => {
    const body: ChatCompletionCreateParamsNonStreaming = {
      ...request,
      model: info.model,
      ...(info.maxOutputTokens === undefined ? {} : { max_completion_tokens: info.maxOutputTokens }),
    };
    const completion = await client.chat.completions.create(body, withoutSdkRetries({ signal: info.signal }));
    return openaiAnswer(completion);
  };
}

/** Text, usage (cached input apart), model and finish reason of a chat completion. */
export function openaiAnswer(completion: ChatCompletion): LlmAnswer {
  const choice = completion.choices[0];
  const answer: LlmAnswer = { text: choice?.message.content ?? '', model: completion.model };
  if (choice?.finish_reason) answer.finishReason = choice.finish_reason;
  const usage = completion.usage;
  if (usage) {
    const cached = usage.prompt_tokens_details?.cached_tokens;
    answer.usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, ...(cached ? { cachedInputTokens: cached } : {}) };
  }
  return answer;
}
