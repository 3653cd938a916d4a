// A loop guard inside a workflow. Each check is a recorded step holding the check's fingerprints,
// so a resumed run (another worker, another process) rebuilds exactly the guard it had: its
// history comes from the record, not from memory. A detection is recorded as a run.loop_detected
// event; a `human` escalation waits durably for a signal, a `fail` one fails the run (logic).
import { checkString } from '../options/option-check.js';
import type { WorkflowContext } from '../workflow/context.js';
import { LoopGuard, type CheckContext } from './loop-guard.js';
import type { LoopGuardOptions } from './loop-options.js';
import type { LoopEntry, LoopVerdict } from './loop-verdict.js';

export class DurableLoopGuard {
  private readonly guard: LoopGuard;

  constructor(
    private readonly ctx: WorkflowContext,
    readonly name: string,
    options?: LoopGuardOptions,
  ) {
    checkString(name, 'durableLoopGuard.name', 200);
    this.guard = new LoopGuard(options, name);
  }

  /** The signal a `human` escalation waits for. */
  get signal(): string {
    return this.guard.options.signal ?? `loop:${this.name}`;
  }

  async check(value: unknown, about: CheckContext = {}): Promise<LoopVerdict> {
    const entry = (await this.ctx.step(`loop:${this.name}`, () => this.guard.entryOf(value, about))) as LoopEntry;
    const verdict = this.guard.push(entry);
    if (verdict.kind === 'ok') return verdict;
    const human = verdict.level === 'human';
    await this.ctx.recordEvent('run.loop_detected', {
      guard: this.name,
      kind: verdict.kind,
      detail: verdict.detail,
      level: verdict.level,
      ...(human ? { signal: this.signal } : {}),
    });
    if (human) verdict.resolution = await this.ctx.waitForSignal(this.signal);
    return this.guard.enforce(verdict);
  }
}

/** A loop guard whose checks are recorded in the run (see docs/agent-toolkit.md). */
export function durableLoopGuard(ctx: WorkflowContext, name: string, options?: LoopGuardOptions): DurableLoopGuard {
  return new DurableLoopGuard(ctx, name, options);
}
