// `lifeline insight <subcommand>`: what the attempt log says about failures, health, SLOs,
// recoveries and coverage (issue 10). Each subcommand lives in its own file
// (insight-<name>.ts) and registers itself on the group here.
import type { Command } from 'commander';
import { registerInsightSlo } from './insight-slo.js';
import { registerInsightRecovery } from './insight-recovery.js';
import { registerInsightRecommend } from './insight-recommend.js';
import { registerInsightFix } from './insight-fix.js';
import { registerInsightCoverage } from './insight-coverage.js';
import { registerInsightRefingerprint } from './insight-refingerprint.js';
import { registerInsightHealth } from './insight-health.js';
import { registerInsightPatterns } from './insight-patterns.js';

/** The options every insight subcommand takes. */
export interface InsightCliOptions {
  since?: string;
  workflow?: string;
  json?: boolean;
}

/** Adds the shared options to a subcommand. */
export function insightOptions(command: Command): Command {
  return command
    .option('--since <duration>', 'how far back to look (e.g. 1h, 24h, 7d)', '24h')
    .option('--workflow <name>', 'only this workflow')
    .option('--json', 'print JSON');
}

export function registerInsight(program: Command): void {
  const group = program.command('insight').description('failure patterns, health, SLOs, recommendations, coverage and recovery metrics');
  // Subcommands register here, one line each (src/cli/commands/insight-*.ts).
  registerInsightSlo(group);
  registerInsightRecovery(group);
  registerInsightRecommend(group);
  registerInsightFix(group);
  registerInsightCoverage(group);
  registerInsightRefingerprint(group);
  registerInsightPatterns(group);
  registerInsightHealth(group);
}
