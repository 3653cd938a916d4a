// What an attempt row records of a failure for insight (issue 10 §1): the error's name and kind,
// its fingerprint (src/insight/fingerprint.ts) under this process's rules, and the tags that say
// where it happened (the model called, the top user stack frame). Computed where the failure is
// classified, on failures only: a succeeding step does none of this work.
import type { Classification } from '../policy/index.js';
import { computeFingerprint } from '../insight/fingerprint.js';
import type { FingerprintRule } from '../insight/fingerprint-rules.js';
import { topUserFrame } from '../insight/stack-frame.js';
import type { EndAttemptArgs } from '../store/store.js';
import type { AttemptMeter } from './attempt-meter.js';
import { redactMessage, storableKind, storableText } from './stored-error.js';

export type FailureDetails = Pick<EndAttemptArgs, 'errorName' | 'errorKind' | 'fingerprint' | 'fingerprintVersion' | 'costMicros' | 'tags'>;

export interface FailureContext {
  error: unknown;
  classification: Classification;
  /** The redacted message, as stored. */
  message: string;
  step: string;
  workflow: string;
  meter: AttemptMeter;
  /** The step's own tags (StepOptions.tags): a `provider`/`model` there counts when no call named one. */
  stepTags: Readonly<Record<string, string>> | undefined;
  rules: readonly FingerprintRule[];
}

export function failureDetails(c: FailureContext): FailureDetails {
  const { error, classification } = c;
  const errorName = error instanceof Error ? storableText(String(error.name).slice(0, 200)) : null;
  const errorKind = classification.kind === undefined ? null : storableKind(classification.kind);
  const rawFrame = error instanceof Error ? topUserFrame(error.stack) : null;
  const frame = rawFrame === null ? null : redactMessage(rawFrame.slice(0, 300));
  const model = c.meter.modelOf();
  const { fingerprint, version } = computeFingerprint(
    {
      errorClass: classification.errorClass,
      errorKind,
      errorName,
      message: c.message,
      step: c.step,
      workflow: c.workflow,
      // As the stored row's tags read (the end's over the start's): refingerprint computes the same.
      provider: (model === undefined ? undefined : (model.provider ?? undefined)) ?? c.stepTags?.['provider'] ?? null,
      model: model?.model ?? c.stepTags?.['model'] ?? null,
      frame,
    },
    c.rules,
  );
  const { costMicros, tags } = c.meter.details();
  const allTags = frame === null ? tags : { ...tags, frame };
  return {
    errorName,
    errorKind,
    fingerprint,
    fingerprintVersion: version,
    ...(costMicros === undefined ? {} : { costMicros }),
    ...(allTags === undefined ? {} : { tags: allTags }),
  };
}
