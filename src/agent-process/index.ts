// External agent processes as steps (docs/agents.md).
export { runAgentProcess, type AgentProcessResult, type AgentLedgerEntry } from './run-agent-process.js';
export { agentStep } from './agent-step.js';
export type { AgentProcessOptions, CleanupPolicy, OutputFormat } from './options.js';
export type { Continuation } from './checkpoint.js';
export { groupAlive } from './process-group.js';
export { workspacePath } from './workspace.js';
