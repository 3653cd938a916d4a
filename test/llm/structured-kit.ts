// Shared by the structured-output tests: the real openai SDK (its own retries off) asking the
// local provider server, as a structuredStep's `generate`, and a schema with nested field paths.
import OpenAI from 'openai';
import { z } from 'zod';
import { withoutSdkRetries } from '../../src/policy/sdk-retries.js';
import type { StructuredFeedback } from '../../src/llm/structured.js';
import type { StepInfo } from '../../src/workflow/context.js';
import type { ProviderServer, RecordedRequest } from './provider-server.js';

export const Order = z.object({
  customer: z.string(),
  items: z.array(z.object({ name: z.string(), price: z.number() })),
});

export const PROMPT = 'Extract the order as JSON: {"customer": string, "items": [{"name": string, "price": number}]}';

/** Asks `model` (gpt-4o-mini) through the openai SDK; a re-ask appends the feedback as a second user message. */
export function openaiGenerate(server: ProviderServer, model = 'gpt-4o-mini') {
  const client = new OpenAI(withoutSdkRetries({ baseURL: server.openaiBaseURL, apiKey: 'sk-test-local-0000000000000000000000' }));
  return async (feedback: StructuredFeedback | undefined, info: StepInfo) => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: PROMPT }];
    if (feedback) messages.push({ role: 'user', content: feedback.text });
    const res = await client.chat.completions.create({ model, messages }, { signal: info.signal });
    return { text: res.choices[0]?.message.content ?? '', model: res.model };
  };
}

/** The user messages of a recorded chat completions request. */
export function userMessages(request: RecordedRequest | undefined): string[] {
  const body = request?.body as { messages?: Array<{ role: string; content: string }> } | undefined;
  return (body?.messages ?? []).filter((m) => m.role === 'user').map((m) => m.content);
}
