// Structured output that repairs and re-asks (issue 9 §3): the public surface of src/llm/structured-*.ts.
export { extractJson, type ExtractedJson } from './structured-extract.js';
export { parseStructured, fieldPath, type StructuredResult, type StructuredSchema, type SchemaIssue, type SchemaOutput } from './structured-parse.js';
export { StructuredOutputError, type StructuredIssue, type StructuredOutputKind } from './structured-error.js';
export {
  structuredStep,
  structuredBody,
  structuredRetry,
  type StructuredFeedback,
  type StructuredOptions,
  type StructuredStepOptions,
  type GeneratedAnswer,
} from './structured-step.js';
export { summarizeStructured, type StructuredModelStats, type StructuredTryEvent } from './structured-stats.js';
