// Bad options of runAgentProcess / agentStep: refused before any process starts, with a message
// naming the field and the bound.
import { describe, expect, it } from 'vitest';
import { agentStep } from '../../src/agent-process/agent-step.js';
import { resolveAgentOptions } from '../../src/agent-process/options.js';
import { runAgentProcess } from '../../src/agent-process/run-agent-process.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { rejectionOf, testStep } from './agent-test-kit.js';

const KNOWN =
  'command, args, env, inheritEnv, workspaceRoot, timeout, gracePeriod, cleanup, checkpointFile, parse, resumeArg, exitCodes, maxTurnEvents, stderrTailChars, secrets, clock';

const cases: Array<[string, unknown, string]> = [
  ['empty command', { command: '' }, 'Invalid option agentProcess.command: must be a non-empty string of at most 4096 characters without NUL (got "")'],
  ['no command', { args: [] }, 'Invalid option agentProcess.command: is required (the program to run)'],
  ['no options', undefined, 'Invalid option agentProcess: must be an object (got undefined)'],
  [
    'negative grace',
    { command: 'x', gracePeriod: -1 },
    'Invalid option agentProcess.gracePeriod: must be a duration >= 0 in ms or a string like "5s" (got -1)',
  ],
  [
    'bad timeout',
    { command: 'x', timeout: '5 minutes' },
    'Invalid option agentProcess.timeout: must be a duration >= 0 in ms or a string like "5s" (got "5 minutes")',
  ],
  [
    'unknown cleanup',
    { command: 'x', cleanup: 'sometimes' },
    'Invalid option agentProcess.cleanup: must be one of "always", "on_success", "never" (got "sometimes")',
  ],
  ['unknown parse', { command: 'x', parse: 'xml' }, 'Invalid option agentProcess.parse: must be one of "text", "json", "jsonl" (got "xml")'],
  ['misspelt field', { command: 'x', gracePeriodMs: 5 }, `Invalid option agentProcess.gracePeriodMs: unknown option (known: ${KNOWN})`],
  [
    'arg with NUL',
    { command: 'x', args: ['ok', 'a\0b'] },
    'Invalid option agentProcess.args[1]: must be a string of at most 131072 characters without NUL (got "a\\u0000b")',
  ],
  ['env value not a string', { command: 'x', env: { TOKEN: 5 } }, 'Invalid option agentProcess.env.TOKEN: must be a string without NUL (got 5)'],
  ['env name', { command: 'x', env: { 'A-B': 'v' } }, 'Invalid option agentProcess.env.A-B: must be a variable name of letters, digits and _'],
  [
    'checkpoint outside',
    { command: 'x', checkpointFile: '../up.json' },
    'Invalid option agentProcess.checkpointFile: must be a path inside the workspace, relative and without ".." (got "../up.json")',
  ],
  ['exit code class', { command: 'x', exitCodes: { 3: 'fatal' } }, 'Invalid option agentProcess.exitCodes.3: must be an error class (got "fatal")'],
  ['exit code 0', { command: 'x', exitCodes: { 0: 'logic' } }, 'Invalid option agentProcess.exitCodes.0: exit code 0 is success and cannot be given a class'],
  ['exit code range', { command: 'x', exitCodes: { 300: 'logic' } }, 'Invalid option agentProcess.exitCodes.300: must be an exit code from 0 to 255'],
  ['negative maxTurnEvents', { command: 'x', maxTurnEvents: -1 }, 'Invalid option agentProcess.maxTurnEvents: must be an integer from 0 to 10000 (got -1)'],
  ['clock', { command: 'x', clock: {} }, 'Invalid option agentProcess.clock: must be a Clock (an object with now, sleep, setTimer) (got object)'],
];

describe('agent process options', () => {
  for (const [title, options, message] of cases) {
    it(title, () => {
      expect(() => resolveAgentOptions(options)).toThrow(new InvalidOptionsError(message));
    });
  }

  it('runAgentProcess rejects before starting anything; agentStep throws before the step is recorded', async () => {
    const error = await rejectionOf(runAgentProcess(testStep('r', 's#0', 1).info, { command: 'x', cleanup: 'sometimes' as never }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ errorClass: 'configuration' });
    const calls: string[] = [];
    const ctx = { step: (name: string) => calls.push(name) } as unknown as WorkflowContext;
    expect(() => agentStep(ctx, 'fix', { command: '' })).toThrow(InvalidOptionsError);
    expect(calls).toEqual([]);
  });

  it('defaults', () => {
    expect(resolveAgentOptions({ command: 'claude', env: { ANTHROPIC_API_KEY: 'k-123456', PLAIN: 'v' } })).toMatchObject({
      graceMs: 5000,
      cleanup: 'on_success',
      parse: 'text',
      resumeArg: '--resume',
      checkpointFile: 'lifeline-checkpoint.json',
      inheritEnv: true,
      secrets: ['k-123456'],
    });
  });
});
