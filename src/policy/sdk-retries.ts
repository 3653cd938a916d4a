import { optionError, describeValue } from '../options/option-check.js';

/**
 * Client or call options for an LLM SDK with its own retries turned off (`maxRetries: 0`):
 * `new OpenAI(withoutSdkRetries({ baseURL }))`, `new Anthropic(withoutSdkRetries())`,
 * `generateText(withoutSdkRetries({ model, prompt }))`. Lifeline retries the step by the error's
 * class; an SDK that retries inside each attempt multiplies the calls (4 attempts × 3 SDK tries
 * = 12 HTTP requests), hides the first errors and waits without being durable or cancellable.
 */
export function withoutSdkRetries<T extends object = Record<never, never>>(options?: T): T & { maxRetries: 0 } {
  const given = options === undefined ? undefined : (options as { maxRetries?: unknown }).maxRetries;
  if (given !== undefined && given !== 0) {
    throw optionError('withoutSdkRetries.maxRetries', `must be 0 or left out: Lifeline's step retries replace the SDK's (got ${describeValue(given)})`);
  }
  return { ...(options as T), maxRetries: 0 };
}
