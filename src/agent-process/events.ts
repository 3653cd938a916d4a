// The agent's events as the step records them: redacted, short, and turn events capped per
// attempt so a chatty agent costs a handful of rows, not one per line of output.
import { redactKnownValues, redactSecrets } from '../errors/redact.js';
import type { StepEventData } from '../workflow/context.js';
import type { AgentStepInfo } from './run-agent-process.js';
import { MAX_CHECKPOINT_BYTES } from './checkpoint.js';

export type AgentEvent = StepEventData<'step.agent_event'>;

export class AgentEvents {
  private turnsStored = 0;
  private turnsDropped = 0;

  constructor(
    private readonly info: AgentStepInfo,
    private readonly secrets: readonly string[],
    private readonly maxTurnEvents: number,
  ) {}

  redact(text: string): string {
    return redactKnownValues(redactSecrets(text), this.secrets);
  }

  emit(event: AgentEvent): void {
    if (!this.info.emit) return;
    const out: AgentEvent = { ...event };
    if (out.detail !== undefined) out.detail = this.redact(out.detail);
    if (out.checkpoint !== undefined) out.checkpoint = this.redactValue(out.checkpoint);
    this.info.emit('step.agent_event', out);
  }

  turn(turn: number, detail: string): void {
    if (this.turnsStored >= this.maxTurnEvents) {
      this.turnsDropped++;
      return;
    }
    this.turnsStored++;
    this.emit({ kind: 'turn', turn, detail });
  }

  /** Once the process ended: how many turn events were not stored. */
  flush(): void {
    if (this.turnsDropped > 0)
      this.emit({ kind: 'dropped', detail: `${this.turnsDropped} more turn event(s) not stored (maxTurnEvents ${this.maxTurnEvents})` });
  }

  /** A checkpoint in an event goes through the redactor as JSON text, and only when small. */
  private redactValue(value: unknown): unknown {
    const text = JSON.stringify(value) ?? 'null';
    if (Buffer.byteLength(text) > MAX_CHECKPOINT_BYTES) return '[checkpoint too large to store]';
    const redacted = this.redact(text);
    try {
      return JSON.parse(redacted) as unknown;
    } catch {
      return redacted; // a secret with quotes in it: stored as redacted text
    }
  }
}
