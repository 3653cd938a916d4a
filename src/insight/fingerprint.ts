// Fingerprints (issue 10 §1): failures that are the same problem get the same short hash, so
// patterns can count them. Made of the error's class and kind, its name, its message normalized
// (normalize-message.ts), the step, the provider and model where known and the top frame in user
// code (stack-frame.ts); user rules (fingerprint-rules.ts) merge or split groups.
//
// Versioned: FINGERPRINT_VERSION is stored with every fingerprint. A change to what goes in (or
// how it is normalized) is a new version; rows keep the version that computed them until
// `lifeline insight refingerprint` recomputes them, so groups never change silently.
import { createHash } from 'node:crypto';
import { matchRule, type FingerprintRule } from './fingerprint-rules.js';
import { normalizeMessage } from './normalize-message.js';

export const FINGERPRINT_VERSION = 1;

/** What a fingerprint is computed from: what the attempt row records of a failure. */
export interface FingerprintInput {
  errorClass: string;
  errorKind?: string | null;
  errorName?: string | null;
  /** The (redacted) message. */
  message: string;
  /** The step's name (not its id: every call of a step in a loop is the same place). */
  step: string;
  workflow?: string | null;
  provider?: string | null;
  model?: string | null;
  /** topUserFrame(): `path:function`. */
  frame?: string | null;
}

/** The readable form the hash is made of. */
export interface FingerprintParts {
  version: number;
  /** Set when a user rule grouped the failure: the other parts are then not used. */
  group: string | null;
  errorClass: string;
  errorKind: string | null;
  errorName: string | null;
  message: string;
  step: string;
  provider: string | null;
  model: string | null;
  frame: string | null;
  workflow: string | null;
}

export interface Fingerprint {
  fingerprint: string;
  version: number;
  parts: FingerprintParts;
}

/** The parts of a failure's fingerprint under the current version and `rules`. */
export function fingerprintParts(input: FingerprintInput, rules: readonly FingerprintRule[] = []): FingerprintParts {
  const rule = rules.length === 0 ? undefined : matchRule(rules, { errorClass: input.errorClass, message: input.message, step: input.step });
  const split = rule !== undefined && 'split' in rule ? rule.split : null;
  return {
    version: FINGERPRINT_VERSION,
    group: rule !== undefined && 'group' in rule ? rule.group : null,
    errorClass: input.errorClass,
    errorKind: input.errorKind ?? null,
    errorName: input.errorName ?? null,
    message: split === 'by-message' ? input.message : normalizeMessage(input.message),
    step: input.step,
    provider: input.provider ?? null,
    model: input.model ?? null,
    frame: input.frame ?? null,
    workflow: split === 'by-workflow' ? (input.workflow ?? null) : null,
  };
}

/** The hash of `parts`: 16 hex characters of a SHA-256. */
export function hashParts(p: FingerprintParts): string {
  const fields =
    p.group !== null
      ? [`v${p.version}`, 'group', p.group]
      : [
          `v${p.version}`,
          p.errorClass,
          p.errorKind ?? '',
          p.errorName ?? '',
          p.message,
          p.step,
          p.provider ?? '',
          p.model ?? '',
          p.frame ?? '',
          p.workflow ?? '',
        ];
  return createHash('sha256').update(fields.join('\u0000')).digest('hex').slice(0, 16);
}

export function computeFingerprint(input: FingerprintInput, rules: readonly FingerprintRule[] = []): Fingerprint {
  const parts = fingerprintParts(input, rules);
  return { fingerprint: hashParts(parts), version: parts.version, parts };
}

/** One line a person can read: what the fingerprint groups. */
export function describeFingerprint(p: FingerprintParts): string {
  if (p.group !== null) return `group "${p.group}"`;
  const kind = p.errorKind === null ? p.errorClass : `${p.errorClass}/${p.errorKind}`;
  const name = p.errorName === null ? '' : ` ${p.errorName}`;
  const model = p.provider === null && p.model === null ? '' : ` [${[p.provider, p.model].filter((x) => x !== null).join('/')}]`;
  const frame = p.frame === null ? '' : ` at ${p.frame}`;
  const workflow = p.workflow === null ? '' : ` in workflow "${p.workflow}"`;
  return `${kind}${name} in step "${p.step}"${workflow}${model}${frame}: ${p.message}`;
}
