// An OpenTelemetry SDK for a test file: the in-memory exporter behind a simple span processor,
// and the AsyncLocalStorage context manager (what NodeSDK registers), set as the globals.
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface OtelKit {
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  /** The one finished span named `name` (throws when there are none or several). */
  one(name: string, where?: (s: ReadableSpan) => boolean): ReadableSpan;
  /** Resolves when `count` spans named `name` have ended (a run's span ends just after its final event). */
  ended(name: string, count?: number): Promise<void>;
  shutdown(): Promise<void>;
}

export function registerOtel(): OtelKit {
  const exporter = new InMemorySpanExporter();
  const waiters = new Set<() => void>();
  const notify: SpanProcessor = {
    onStart: () => {},
    onEnd: () => {
      for (const check of [...waiters]) check();
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), notify] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const spans = () => exporter.getFinishedSpans();
  return {
    exporter,
    spans,
    one(name, where = () => true) {
      const found = spans().filter((s) => s.name === name && where(s));
      if (found.length !== 1)
        throw new Error(
          `expected one span "${name}", found ${found.length}: ${spans()
            .map((s) => s.name)
            .join(', ')}`,
        );
      return found[0] as ReadableSpan;
    },
    ended: (name, count = 1) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (spans().filter((s) => s.name === name).length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

/** The parent span id of a finished span (sdk-trace-base 2.x: parentSpanContext). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export const ERROR = SpanStatusCode.ERROR;
