// runAgentProcess: an external agent process (a coding agent, a script) as the body of a step.
import { spawn, type ChildProcess } from 'node:child_process';
import { AgentProcessError } from '../errors/agent-process-error.js';
import type { ErrorClass } from '../errors/error-class.js';
import { isLifelineError } from '../errors/lifeline-error.js';
import { isRetryableClass } from '../errors/error-class.js';
import type { StepInfo } from '../workflow/context.js';

/** What an agent process uses of its step: a step's `info`, or the same fields when called by hand. */
export type AgentStepInfo = Pick<StepInfo, 'signal' | 'attempt' | 'runId' | 'stepId' | 'emit'>;
import { OutputReader, type AgentFinal } from './agent-output.js';
import { readCheckpoint, type Continuation } from './checkpoint.js';
import { AgentEvents } from './events.js';
import { classifyExit, classifySpawnError, type ExitVerdict } from './exit-class.js';
import { resolveAgentOptions, type AgentProcessOptions, type ResolvedAgentOptions } from './options.js';
import { groupAlive, groupRecord, isOrphanStillRunning, parseGroupRecord, stopGroup } from './process-group.js';
import { openWorkspace, readRecord, removeRecord, removeWorkspace, writeRecord, type Workspace } from './workspace.js';

/** What a successful agent process gives the step (JSON, so it is the step's result as is). */
export interface AgentProcessResult {
  /** The agent's answer: the final object's `result` (json, jsonl), else stdout. */
  output: string;
  /** The agent's final JSON object as it reported it (json, jsonl); null for text or when it sent none. */
  final: Record<string, unknown> | null;
  sessionId: string | null;
  /** Turns the agent reported (or counted from the stream); null for text. */
  turns: number | null;
  workspace: string;
  attempt: number;
  /** What this attempt was handed from earlier ones; null on a fresh start. */
  continuation: Continuation | null;
  /** The checkpoint the agent left at its end, if any. */
  checkpoint: unknown;
  /** One entry for the cost ledger: what this attempt cost, as the agent reported it. */
  ledgerEntry: AgentLedgerEntry | null;
}

/** An agent process's spend, in the shape the run's cost ledger records (one per attempt). */
export interface AgentLedgerEntry {
  source: 'agent-process';
  command: string;
  model: string | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  turns: number | null;
}

/** Final-object subtypes of headless agents and their class (a turn limit is not fixed by trying again). */
const FINAL_SUBTYPES: Readonly<Record<string, ErrorClass>> = { error_max_turns: 'logic', error_during_execution: 'unknown' };
/** Exit codes headless agents use on their own (2: bad input or usage). Per step `exitCodes` win. */
const HEADLESS_EXIT_CODES: ReadonlyMap<number, ErrorClass> = new Map([[2, 'configuration']]);

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs `options.command` as the body of the step `info` belongs to, in the step's workspace.
 * Resolves when it exits 0; otherwise throws AgentProcessError with the class its end implies.
 * The step's signal (timeout, cancel, shutdown) stops the process group and rethrows its reason.
 */
export async function runAgentProcess(info: AgentStepInfo, options: AgentProcessOptions): Promise<AgentProcessResult> {
  const o = resolveAgentOptions(options);
  if (info.signal.aborted) throw info.signal.reason;
  const ws = openWorkspace(o.workspaceRoot, info.runId, info.stepId);
  const events = new AgentEvents(info, o.secrets, o.maxTurnEvents);
  await stopOrphan(ws, o, events);
  const continuation = takeContinuation(ws, o, events);
  const child = await start(info, o, ws, continuation, events);
  const exited = new Promise<Ended>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const reader = new OutputReader(o.parse, {
    session: (id) => {
      writeRecord(ws, 'session', id);
      events.emit({ kind: 'session', sessionId: id });
    },
    turn: (turn, detail) => events.turn(turn, detail),
  });
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => reader.push(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-Math.max(o.stderrTailChars * 4, 4096))));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const pgid = child.pid as number;

  const stop = watchStop(info.signal, o);
  const ended = await Promise.race([exited, stop.requested]);
  if (ended === 'stop') {
    await stopGroup(pgid, o.graceMs, o.clock, exited);
    await closed;
    removeRecord(ws, 'process.json');
    events.flush();
    const reason = stop.reason();
    if (o.cleanup === 'always' && isLifelineError(reason) && reason.errorClass === 'cancelled') removeWorkspace(o.workspaceRoot, info.runId, info.stepId);
    throw reason;
  }
  stop.dispose();
  // The leader exited; whatever it left running in its group goes with it.
  if (groupAlive(pgid)) await stopGroup(pgid, o.graceMs, o.clock);
  await closed;
  removeRecord(ws, 'process.json');
  const out = reader.end();
  events.flush();
  const checkpoint = readCheckpoint(ws.dir, o.checkpointFile);
  if (checkpoint !== undefined && JSON.stringify(checkpoint) !== JSON.stringify(continuation?.checkpoint)) events.emit({ kind: 'checkpoint', checkpoint });
  const ledgerEntry = out.final ? ledgerOf(o.command, out.final) : null;
  if (out.final) events.emit({ kind: 'result', detail: out.final.subtype ?? 'result', ...definedCost(ledgerEntry), ...(out.turns ? { turn: out.turns } : {}) });

  const verdict = failureOf(ended, out.final, o);
  if (verdict) {
    const tail = events.redact(stderr).slice(-o.stderrTailChars).trim();
    events.emit({ kind: 'exited', detail: `${verdict.errorClass}: ${verdict.reason}` });
    if (o.cleanup === 'always' && !isRetryableClass(verdict.errorClass)) removeWorkspace(o.workspaceRoot, info.runId, info.stepId);
    throw new AgentProcessError({ ...verdict, command: o.command, exitCode: ended.code, signal: ended.signal, stderrTail: tail });
  }
  if (o.cleanup !== 'never') removeWorkspace(o.workspaceRoot, info.runId, info.stepId);
  return {
    output: out.final?.result ?? out.stdout,
    final: out.final?.raw ?? null,
    sessionId: out.sessionId,
    turns: o.parse === 'text' ? null : out.turns,
    workspace: ws.dir,
    attempt: info.attempt,
    continuation,
    checkpoint: checkpoint ?? null,
    ledgerEntry,
  };
}

/** A process group an earlier attempt left running (its worker died): stopped before anything else. */
async function stopOrphan(ws: Workspace, o: ResolvedAgentOptions, events: AgentEvents): Promise<void> {
  const orphan = parseGroupRecord(readRecord(ws, 'process.json'));
  if (orphan && isOrphanStillRunning(orphan)) {
    const how = await stopGroup(orphan.pgid, o.graceMs, o.clock);
    events.emit({ kind: 'orphan_killed', detail: `process group ${orphan.pgid} of attempt ${orphan.attempt}: ${how}` });
  }
  removeRecord(ws, 'process.json');
}

/** The checkpoint and session earlier attempts left, recorded as handed to this one. */
function takeContinuation(ws: Workspace, o: ResolvedAgentOptions, events: AgentEvents): Continuation | null {
  const checkpoint = readCheckpoint(ws.dir, o.checkpointFile);
  const sessionId = readRecord(ws, 'session')?.trim() || null;
  if (checkpoint === undefined && sessionId === null) return null;
  if (checkpoint !== undefined) events.emit({ kind: 'checkpoint', detail: 'handed to this attempt', checkpoint });
  return { checkpoint: checkpoint ?? null, sessionId };
}

/** Spawns the process as the leader of its own group and records the group in the workspace. */
async function start(
  info: AgentStepInfo,
  o: ResolvedAgentOptions,
  ws: Workspace,
  continuation: Continuation | null,
  events: AgentEvents,
): Promise<ChildProcess> {
  const resume = continuation?.sessionId && o.resumeArg !== null ? [o.resumeArg, continuation.sessionId] : [];
  const env: Record<string, string> = {
    ...(o.inheritEnv ? (process.env as Record<string, string>) : {}),
    ...o.env,
    LIFELINE_RUN_ID: info.runId,
    LIFELINE_STEP_ID: info.stepId,
    LIFELINE_ATTEMPT: String(info.attempt),
    LIFELINE_WORKSPACE: ws.dir,
    LIFELINE_CHECKPOINT_FILE: o.checkpointFile,
  };
  if (continuation) env.LIFELINE_CONTINUATION = JSON.stringify(continuation);
  const child = spawn(o.command, [...o.args, ...resume], { cwd: ws.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const failed = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });
  if (failed) {
    const verdict = classifySpawnError(failed);
    throw new AgentProcessError({ ...verdict, command: o.command, exitCode: null, signal: null, stderrTail: '' }, { cause: failed });
  }
  writeRecord(ws, 'process.json', JSON.stringify(groupRecord(child.pid as number, info.attempt)));
  events.emit({ kind: 'started', detail: `pid ${child.pid}${resume.length ? `, resuming session ${continuation?.sessionId}` : ''}` });
  return child;
}

/** The step's signal or the process's own deadline, whichever comes first. */
function watchStop(signal: AbortSignal, o: ResolvedAgentOptions): { requested: Promise<'stop'>; reason(): unknown; dispose(): void } {
  let reason: unknown;
  let fire: () => void = () => {};
  const requested = new Promise<'stop'>((resolve) => (fire = () => resolve('stop')));
  const onAbort = () => {
    reason = signal.reason;
    fire();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const timer =
    o.timeoutMs === undefined
      ? undefined
      : o.clock.setTimer(o.timeoutMs, () => {
          reason = new AgentProcessError({
            errorClass: 'timeout',
            reason: `ran past its timeout of ${o.timeoutMs} ms`,
            command: o.command,
            exitCode: null,
            signal: null,
            stderrTail: '',
          });
          fire();
        });
  return {
    requested,
    reason: () => reason,
    dispose: () => {
      signal.removeEventListener('abort', onAbort);
      timer?.cancel();
    },
  };
}

/** Why the process failed, or null when it succeeded (exit 0 and no error reported in its final object). */
function failureOf(ended: Ended, final: AgentFinal | null, o: ResolvedAgentOptions): (ExitVerdict & { nonRetryable?: boolean }) | null {
  if (final?.isError) {
    const cls = final.subtype ? FINAL_SUBTYPES[final.subtype] : undefined;
    if (cls) return { errorClass: cls, reason: `agent reported ${final.subtype}` };
  }
  if (ended.code === 0 && ended.signal === null)
    return final?.isError ? { errorClass: 'logic', reason: `agent reported ${final.subtype ?? 'an error'}` } : null;
  const own = o.parse === 'text' ? o.exitCodes : new Map([...HEADLESS_EXIT_CODES, ...o.exitCodes]);
  return classifyExit(ended.code, ended.signal, own);
}

function ledgerOf(command: string, f: AgentFinal): AgentLedgerEntry {
  return {
    source: 'agent-process',
    command,
    model: f.model,
    costUsd: f.costUsd,
    inputTokens: f.inputTokens,
    outputTokens: f.outputTokens,
    cachedInputTokens: f.cachedInputTokens,
    turns: f.turns,
  };
}

function definedCost(entry: AgentLedgerEntry | null): { costUsd?: number } {
  return entry?.costUsd != null ? { costUsd: entry.costUsd } : {};
}
