// Simulated agents of the reporting pipeline: deterministic, no network. Each takes a little
// time (so the demo can kill the process in the middle of one) and some fail the way real
// providers do on their first attempt: a reset connection, a 429 with Retry-After.

export interface AgentCall {
  signal: AbortSignal;
  attempt: number;
}

export function work(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** An error shaped like Node's network errors. */
export function connectionReset(): Error {
  return Object.assign(new Error('read ECONNRESET (simulated flaky upstream)'), { code: 'ECONNRESET' });
}

/** An error shaped like an LLM SDK's rate-limit error. */
export function rateLimited(retryAfterMs: number): Error {
  return Object.assign(new Error('Rate limit reached for model (simulated)'), {
    name: 'RateLimitError',
    status: 429,
    headers: { 'retry-after-ms': String(retryAfterMs) },
  });
}

export type Sufficiency = 'sufficient' | 'partial' | 'insufficient';

export async function triageAgent(topic: string, call: AgentCall): Promise<{ topic: string; dataSufficiency: Sufficiency; notes: string }> {
  await work(250, call.signal);
  // Deterministic "judgement": topics that mention "quarterly" have partial data.
  const dataSufficiency: Sufficiency = /quarterly/i.test(topic) ? 'partial' : /new market/i.test(topic) ? 'insufficient' : 'sufficient';
  return { topic, dataSufficiency, notes: `triaged "${topic}": data is ${dataSufficiency}` };
}

export async function dataHelperAgent(topic: string, call: AgentCall): Promise<{ extraSources: string[] }> {
  await work(300, call.signal);
  if (call.attempt === 1) throw connectionReset();
  return { extraSources: [`${topic} — warehouse export`, `${topic} — CRM snapshot`] };
}

export async function dataAgent(sources: string[], call: AgentCall): Promise<{ rows: number; revenue: number; churn: number }> {
  await work(400, call.signal);
  return { rows: 1200 + sources.length * 300, revenue: 4_200_000, churn: 0.031 };
}

export async function optimizationAgent(data: { revenue: number; churn: number }, call: AgentCall): Promise<{ ideas: string[] }> {
  await work(700, call.signal);
  if (call.attempt === 1) throw rateLimited(150);
  return {
    ideas: [
      `reduce churn from ${(data.churn * 100).toFixed(1)}% with onboarding nudges`,
      'move annual plans to the pricing page hero',
      'retire the two least-used add-ons',
    ],
  };
}

export async function actionPlanAgent(ideas: string[], call: AgentCall): Promise<{ actions: Array<{ owner: string; action: string }> }> {
  await work(400, call.signal);
  const owners = ['growth', 'product', 'finance'];
  return { actions: ideas.map((idea, i) => ({ owner: owners[i % owners.length] ?? 'team', action: idea })) };
}
