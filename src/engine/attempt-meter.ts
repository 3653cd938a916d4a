// What one attempt used and ran with, gathered while its body runs: the tokens it reported (for
// the step gates), and the cost and model calls its cost handle saw (for the attempt row:
// AttemptRecord.costMicros and the provider/model tags). Nothing is gathered, and nothing costs,
// unless the body reports usage or reads `info.cost`.
import { checkUsage } from '../options/limit-options.js';
import type { StepUsage } from '../workflow/context.js';

export class AttemptMeter {
  private tokens: number | undefined;
  private micros: number | undefined;
  private model: { provider: string; model: string } | undefined;
  /** Read by the idempotency-key getter of StepInfo (coverage of side effects). */
  keyRead = false;

  readonly add = (tokens: number): void => {
    this.tokens = (this.tokens ?? 0) + tokens;
  };
  readonly report = (usage: StepUsage): void => this.add(checkUsage(usage));
  /** A model call of the cost handle (step-costs.ts onCall); the last one names the attempt's model. */
  readonly call = (call: { provider: string; model: string; costMicros: number }): void => {
    this.micros = (this.micros ?? 0) + call.costMicros;
    this.model = { provider: call.provider, model: call.model };
  };

  /** A model named by the body's `llm.structured` event: the attempt's model when no call named one. */
  readonly answeredBy = (model: string): void => {
    if (typeof model === 'string' && model !== 'unknown') this.model ??= { provider: '', model: model.slice(0, 200) };
  };

  usage(): { usage?: StepUsage } {
    return this.tokens === undefined ? {} : { usage: { tokens: this.tokens } };
  }

  /** The attempt row's cost and model tags, when the cost handle saw a call. */
  details(): { costMicros?: number; tags?: Record<string, string> } {
    if (this.model === undefined) return {};
    const { provider, model } = this.model;
    const tags: Record<string, string> = provider === '' ? { model } : { provider, model };
    return this.micros === undefined ? { tags } : { costMicros: this.micros, tags };
  }

  /** The provider (null when unknown) and model of the attempt's last call, if any. */
  modelOf(): { provider: string | null; model: string } | undefined {
    return this.model === undefined ? undefined : { provider: this.model.provider === '' ? null : this.model.provider, model: this.model.model };
  }
}
