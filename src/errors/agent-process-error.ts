import type { ErrorClass } from './error-class.js';
import { LifelineError } from './lifeline-error.js';

export interface AgentProcessFailure {
  errorClass: ErrorClass;
  /** Why this class, short (e.g. "exit code 127", "killed by SIGINT"). */
  reason: string;
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of the process's stderr, redacted. */
  stderrTail: string;
  /** Set when the class says so but the step must not be retried anyway (e.g. a turn limit). */
  nonRetryable?: boolean;
}

/**
 * An external agent process (src/agent-process/) ended without success. Its class comes from
 * how it ended: interrupted (SIGINT, SIGTERM, SIGKILL) resumes, 124 is a timeout, 126/127 and
 * spawn errors are configuration, other exit codes logic. The message is already redacted.
 */
export class AgentProcessError extends LifelineError {
  readonly reason: string;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  readonly nonRetryable: boolean | undefined;

  constructor(failure: AgentProcessFailure, options?: { cause?: unknown }) {
    const tail = failure.stderrTail === '' ? '' : `: ${failure.stderrTail}`;
    super('AGENT_PROCESS_FAILED', failure.errorClass, `Agent process "${failure.command}" failed (${failure.reason})${tail}`, options);
    this.reason = failure.reason;
    this.command = failure.command;
    this.exitCode = failure.exitCode;
    this.signal = failure.signal;
    this.stderrTail = failure.stderrTail;
    this.nonRetryable = failure.nonRetryable;
  }
}
