import { InvalidOptionsError } from './options-error.js';

/**
 * Secret values the user registered (`Lifeline.open({ secrets })`, `registerSecret`): every text
 * Lifeline stores, emits or logs has them replaced by `[REDACTED]` (see redact.ts). Process-wide
 * and kept for the life of the process: a value that was once a secret stays one.
 */
const registered = new Set<string>();
/** Longest first, so a secret that contains another is removed whole; rebuilt on registration. */
let ordered: readonly string[] = [];

/** Shorter values cannot be redacted without mangling every message they occur in. */
export const MIN_SECRET_LENGTH = 4;
const MAX_SECRET_LENGTH = 64 * 1024;

/**
 * Registers a secret value (an API key, a password) so it never reaches stored errors, attempt
 * messages, events or logs, even where no pattern would recognise it. `path` names the value
 * in the error for a bad one; the value itself is never printed.
 */
export function registerSecret(value: unknown, path = 'registerSecret(value)'): void {
  checkSecret(value, path);
  const before = registered.size;
  registered.add(value);
  // As it appears in a URL or a form body.
  const encoded = encodeURIComponent(value);
  if (encoded !== value) registered.add(encoded);
  if (registered.size !== before) ordered = [...registered].sort((a, b) => b.length - a.length);
}

/** Throws InvalidOptionsError naming `path` and the bound when `value` cannot be a secret. */
export function checkSecret(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string') throw new InvalidOptionsError(`Invalid option ${path}: must be a string (got ${value === null ? 'null' : typeof value})`);
  if (value.length < MIN_SECRET_LENGTH || value.length > MAX_SECRET_LENGTH) {
    throw new InvalidOptionsError(
      `Invalid option ${path}: must be a string of ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters (got ${value.length} characters)`,
    );
  }
}

/** The registered values, longest first. */
export function registeredSecrets(): readonly string[] {
  return ordered;
}
