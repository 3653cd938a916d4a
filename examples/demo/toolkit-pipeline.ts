// The demo's second workflow: a market report whose models and dependencies misbehave, and the
// agent toolkit handling each case durably (every decision is a record in the run):
// a fallback chain after a timeout, a shared circuit breaker, a failure route to data_helper,
// a loop guard escalating to a person, and a report degraded to what could be built.
import { assembleInRun, ClassifiedError, defineWorkflow, degradation, durableLoopGuard, settleAll, type BreakersOption } from '../../src/index.js';
import { analyst, answeringModel, dataHelper, flakyMarketApi, hangingModel, review, writer } from './models.js';

export const MARKET_BREAKER = 'market-api';
/** How many calls of the market API fail before it recovers. */
export const MARKET_FAILURES = 2;
export const FALLBACK_TIMEOUT_MS = 250;
export const COOL_DOWN_MS = 600; // long enough that the retry (20 ms later) always finds it open, even on a loaded machine

/** Two failures in a window of two calls open the breaker for COOL_DOWN_MS; one probe closes it. */
export const breakers: BreakersOption = {
  [MARKET_BREAKER]: { windowSize: 2, minimumCalls: 2, failureRateThreshold: 50, coolDownMs: COOL_DOWN_MS, halfOpenProbes: 1 },
};

const report = degradation({
  sections: {
    summary: { requires: ['summary'], build: ({ summary }) => String(summary) },
    analysis: { requires: ['analysis', 'draft'], build: ({ draft }) => String(draft) },
    forecast: { requires: ['forecast'], build: ({ forecast }) => String(forecast) },
    competitors: { requires: ['competitors'], build: ({ competitors }) => String(competitors) },
  },
  levels: {
    FULL: ['summary', 'analysis', 'forecast', 'competitors'],
    STANDARD: ['summary', 'analysis', 'forecast'],
    BASIC: ['summary', 'analysis'],
  },
});

export interface ToolkitInput {
  topic: string;
}

export const toolkitPipeline = defineWorkflow('market-report', async (ctx, input: ToolkitInput) => {
  // 1. Model fallback: model-a hangs past its timeout, model-b answers.
  const summary = await ctx.fallback('summary', [
    { name: 'model-a', timeout: FALLBACK_TIMEOUT_MS, run: ({ signal }) => hangingModel(signal) },
    { name: 'model-b', run: ({ signal }) => answeringModel(input.topic, signal) },
  ]);

  // 2. A flaky dependency behind a shared breaker: its failures open it, the retry waits out the cool-down.
  const market = await ctx.step('market', ({ attempt }) => flakyMarketApi(attempt, MARKET_FAILURES), {
    breaker: MARKET_BREAKER,
    retry: { maxAttempts: MARKET_FAILURES + 1, initialDelayMs: 20, maxDelayMs: 20 },
  });

  // 3. "insufficient data" routes to data_helper, then the analysis runs again with its output.
  const analysis = await ctx.step('analyze', ({ routed }) => analyst(market.share, routed?.output), {
    routes: [{ when: { errorClass: 'validation', message: /insufficient data/ }, helper: { name: 'data_helper', run: () => dataHelper(input.topic) } }],
  });

  // 4. Writer and reviewer: the writer repeats itself, the guard sees it and asks a person.
  const guard = durableLoopGuard(ctx, 'writer', { escalation: ['human'] });
  let note: string | null = null;
  let draft = '';
  for (let round = 1; ; round++) {
    draft = await ctx.step('write', () => writer(analysis, note));
    const verdict = review(draft);
    if (verdict.approved) break;
    if (round === 5) throw new ClassifiedError(`no approved draft after ${round} rounds`, { errorClass: 'logic' });
    const loop = await guard.check(draft, { error: verdict.note });
    if (loop.kind !== 'ok' && loop.level === 'human') note = String(loop.resolution);
  }

  // 5. Two sources are down for good: the report is built from what there is.
  const inputs = await settleAll({
    forecast: ctx.step('forecast', () => {
      throw new ClassifiedError('forecast model returned an empty series', { errorClass: 'validation' });
    }),
    competitors: ctx.step('competitors', () => {
      throw new ClassifiedError('competitor index refused the API key', { errorClass: 'configuration' });
    }),
  });
  return assembleInRun(ctx, 'market', report, { ...inputs, summary: summary.value, analysis, draft });
});
