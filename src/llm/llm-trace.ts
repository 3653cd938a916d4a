// OpenTelemetry GenAI semantic conventions for the LLM helpers: each model call of an llmStep is
// a CLIENT span `chat <model>` under its attempt's span, with the provider, the requested and the
// answering model, the token usage and Lifeline's priced cost (`lifeline.cost_usd`). Token usage
// is set as plain span attributes, so any exporter keeps it. Nothing is made when the attempt is
// not traced (no SDK registered).
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { TRACER_NAME, ATTR, traceContextOf } from '../observe/run-trace.js';
import { redactSecrets } from '../errors/redact.js';
import type { LlmAnswer } from './llm-types.js';

/** The GenAI attribute names Lifeline sets (semantic conventions 1.3x, gen_ai.*). */
export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  maxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  errorType: 'error.type',
} as const;

/** The call's cost in US dollars, as Lifeline's price table priced its usage (the ledger's entry). */
export const COST_ATTR = 'lifeline.cost_usd';

/** One model call's span. */
export class ModelCallTrace {
  constructor(private readonly span: Span) {}

  run<T>(fn: () => T): T {
    return context.with(trace.setSpan(context.active(), this.span), fn);
  }

  answered(answer: LlmAnswer, costUsd: number | null): void {
    const { span } = this;
    if (answer.model !== undefined) span.setAttribute(GEN_AI.responseModel, answer.model);
    if (answer.finishReason !== undefined) span.setAttribute(GEN_AI.finishReasons, [answer.finishReason]);
    if (answer.usage !== undefined) {
      span.setAttribute(GEN_AI.inputTokens, answer.usage.inputTokens);
      span.setAttribute(GEN_AI.outputTokens, answer.usage.outputTokens);
    }
    if (costUsd !== null) span.setAttribute(COST_ATTR, costUsd);
    span.end();
  }

  failed(errorClass: string, error: unknown): void {
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    this.span.setAttributes({ [GEN_AI.errorType]: error instanceof Error ? error.name : typeof error, [ATTR.errorClass]: errorClass });
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
    this.span.end();
  }
}

/** Starts the span of a model call made by the attempt `info` belongs to; null when the attempt is not traced. */
export function startModelCall(info: object, call: { provider: string; model: string; maxOutputTokens?: number | undefined }): ModelCallTrace | null {
  const parent = traceContextOf(info);
  if (trace.getSpan(parent) === undefined) return null;
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `chat ${call.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [GEN_AI.operation]: 'chat',
        [GEN_AI.provider]: call.provider,
        [GEN_AI.requestModel]: call.model,
        ...(call.maxOutputTokens === undefined ? {} : { [GEN_AI.maxTokens]: call.maxOutputTokens }),
      },
    },
    parent,
  );
  return new ModelCallTrace(span);
}

/** A structured-output try: the GenAI operation and model on its attempt's span (the call is the user's). */
export function markStructuredTry(info: object, model: string): void {
  const span = trace.getSpan(traceContextOf(info));
  if (span === undefined) return;
  span.setAttribute(GEN_AI.operation, 'chat');
  span.setAttribute(GEN_AI.requestModel, model);
}
