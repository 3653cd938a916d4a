// The checkpoint an agent leaves in its workspace (completed subtasks, next actions) and the
// continuation handed to the next attempt: that checkpoint and the agent's session id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Larger checkpoints are not handed on in the environment or stored in events, only left in the file. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;

export interface Continuation {
  /** The checkpoint the agent left (parsed JSON, or its text when it is not JSON); null if none. */
  checkpoint: unknown;
  /** The agent's session from an earlier attempt, resumed with `resumeArg`; null if none. */
  sessionId: string | null;
}

/** The agent's checkpoint file, parsed; undefined when absent, empty or too large. */
export function readCheckpoint(workspaceDir: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(join(workspaceDir, file), 'utf8');
  } catch {
    return undefined;
  }
  if (text.trim() === '' || Buffer.byteLength(text) > MAX_CHECKPOINT_BYTES) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
