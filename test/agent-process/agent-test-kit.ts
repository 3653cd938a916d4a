// Shared by the agent-process tests: a StepInfo made by hand (its events collected), the fake
// agent's command line, and waits on files and process groups (condition polls, not sleeps).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepEventData, StepInfo } from '../../src/workflow/context.js';
import { until } from '../crash/harness.js';

export const FAKE_AGENT = fileURLToPath(new URL('../../build/test/fixtures/fake-agent.js', import.meta.url));

export interface TestStep {
  info: Omit<StepInfo, 'cost' | 'reportUsage'>;
  events: Array<StepEventData<'step.agent_event'>>;
  abort(reason: unknown): void;
}

/** Every process group a test step started, so a failing test never leaves one running. */
export const startedGroups = new Set<number>();

export function testStep(runId: string, stepId: string, attempt: number): TestStep {
  const controller = new AbortController();
  const events: TestStep['events'] = [];
  const info: Omit<StepInfo, 'cost' | 'reportUsage'> = {
    signal: controller.signal,
    attempt,
    idempotencyKey: `${runId}:${stepId}`,
    runId,
    stepId,
    emit: (type, raw) => {
      if (type !== 'step.agent_event') return;
      const data = raw as StepEventData<'step.agent_event'>;
      events.push(data);
      const pid = data.kind === 'started' ? /^pid (\d+)/.exec(data.detail ?? '')?.[1] : undefined;
      if (pid) startedGroups.add(Number(pid));
    },
  };
  return { info, events, abort: (reason) => controller.abort(reason) };
}

/** `node fake-agent.js ...flags`: the command and args for runAgentProcess. */
export function fakeAgent(...flags: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [FAKE_AGENT, ...flags] };
}

export async function fileAppears(path: string): Promise<void> {
  await until(() => existsSync(path), 10).promise;
}

export function pgidIn(workspace: string): number {
  return (JSON.parse(readFileSync(join(workspace, '.lifeline-agent', 'process.json'), 'utf8')) as { pgid: number }).pgid;
}

export function runsLog(workspace: string): string[] {
  return readFileSync(join(workspace, 'runs.log'), 'utf8').trim().split('\n');
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as Error,
  );
}

/**
 * Whether `pid` is a live process. A killed orphan stays a zombie where PID 1 never reaps (this
 * container's init does not), and `kill(pid, 0)` succeeds on a zombie: its /proc state tells.
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
