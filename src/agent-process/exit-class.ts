// How an agent process ended, as an error class. The defaults follow shell conventions;
// an agent's own codes (turn limit, bad input) are given per step in `exitCodes`.
import type { ErrorClass } from '../errors/error-class.js';

export interface ExitVerdict {
  errorClass: ErrorClass;
  reason: string;
}

/** 128 + n: the shell's code for "killed by signal n". */
const SIGNAL_CODES: Readonly<Record<number, string>> = { 130: 'SIGINT', 137: 'SIGKILL', 143: 'SIGTERM' };
const INTERRUPTING_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGQUIT']);

/** A non-zero exit or a death by signal. `own` are the agent's codes; they win over the defaults. */
export function classifyExit(code: number | null, signal: NodeJS.Signals | null, own: ReadonlyMap<number, ErrorClass>): ExitVerdict {
  if (signal !== null) {
    if (INTERRUPTING_SIGNALS.has(signal)) return { errorClass: 'interrupted', reason: `killed by ${signal}` };
    return { errorClass: 'unknown', reason: `killed by ${signal}` }; // SIGSEGV, SIGABRT...: a crash, worth another try
  }
  const c = code ?? -1;
  const mine = own.get(c);
  if (mine) return { errorClass: mine, reason: `exit code ${c}` };
  const viaSignal = SIGNAL_CODES[c];
  if (viaSignal) return { errorClass: 'interrupted', reason: `exit code ${c} (${viaSignal})` };
  if (c === 124) return { errorClass: 'timeout', reason: 'exit code 124 (timed out)' };
  if (c === 126) return { errorClass: 'configuration', reason: 'exit code 126 (not executable)' };
  if (c === 127) return { errorClass: 'configuration', reason: 'exit code 127 (command not found)' };
  return { errorClass: 'logic', reason: `exit code ${c}` };
}

/** A process that could not be started: a missing or non-executable program is configuration. */
export function classifySpawnError(error: NodeJS.ErrnoException): ExitVerdict {
  const code = error.code ?? 'unknown';
  if (code === 'ENOENT') return { errorClass: 'configuration', reason: 'ENOENT (command not found)' };
  if (code === 'EACCES' || code === 'EPERM') return { errorClass: 'configuration', reason: `${code} (not executable)` };
  if (code === 'ENOTDIR') return { errorClass: 'configuration', reason: 'ENOTDIR (bad command path)' };
  return { errorClass: 'transient', reason: `spawn failed: ${code}` }; // EAGAIN, EMFILE: the machine is busy
}
