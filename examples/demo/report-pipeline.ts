import { appendFileSync } from 'node:fs';
import { defineWorkflow } from '../../src/index.js';
import { actionPlanAgent, dataAgent, dataHelperAgent, optimizationAgent, triageAgent } from './agents.js';

export interface ReportInput {
  topic: string;
}

/** Each executed step appends one line here, so the demo can prove none ran twice. */
function recordSideEffect(stepId: string, attempt: number): void {
  const file = process.env.DEMO_SIDE_EFFECTS;
  if (file) appendFileSync(file, `${stepId} attempt=${attempt} pid=${process.pid}\n`);
}

const fast = { retry: { initialDelayMs: 100, maxDelayMs: 1000 } };

/**
 * The reporting pipeline: triage decides at run time whether a data_helper step is needed
 * (adaptive routing in plain code), then data → optimizations → action plan → report.
 */
export const reportPipeline = defineWorkflow<ReportInput, { title: string; sections: string[] }>('report-pipeline', async (ctx, input) => {
  const triage = await ctx.step(
    'triage',
    async (s) => {
      const r = await triageAgent(input.topic, s);
      recordSideEffect(s.stepId, s.attempt);
      return r;
    },
    fast,
  );

  let sources = [input.topic];
  if (triage.dataSufficiency !== 'sufficient') {
    const helped = await ctx.step(
      'data_helper',
      async (s) => {
        const r = await dataHelperAgent(input.topic, s);
        recordSideEffect(s.stepId, s.attempt);
        return r;
      },
      fast,
    );
    sources = [...sources, ...helped.extraSources];
  }

  const data = await ctx.step(
    'data',
    async (s) => {
      const r = await dataAgent(sources, s);
      recordSideEffect(s.stepId, s.attempt);
      return r;
    },
    fast,
  );

  const optimizations = await ctx.step(
    'optimizations',
    async (s) => {
      const r = await optimizationAgent(data, s);
      recordSideEffect(s.stepId, s.attempt);
      return r;
    },
    fast,
  );

  const plan = await ctx.step(
    'action_plan',
    async (s) => {
      const r = await actionPlanAgent(optimizations.ideas, s);
      recordSideEffect(s.stepId, s.attempt);
      return r;
    },
    fast,
  );

  return ctx.step('report', (s) => {
    recordSideEffect(s.stepId, s.attempt);
    return {
      title: `Report: ${input.topic}`,
      sections: [
        `Triage: ${triage.notes}`,
        `Data: ${data.rows} rows from ${sources.length} source(s); revenue ${data.revenue.toLocaleString('en-US')}, churn ${(data.churn * 100).toFixed(1)}%`,
        `Optimizations: ${optimizations.ideas.join('; ')}`,
        `Action plan: ${plan.actions.map((a) => `${a.owner}: ${a.action}`).join('; ')}`,
      ],
    };
  });
});
