// Process groups of agent processes: started detached (the child leads its own group, so the
// whole tree it spawns can be signalled at once), stopped with SIGTERM then SIGKILL after a
// grace, and found again from the workspace after the worker that started them died.
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Clock } from '../time/clock.js';

/** What the workspace records about the group that runs in it (`process.json`). */
export interface GroupRecord {
  pgid: number;
  host: string;
  /** The leader's start time in clock ticks since boot (Linux), so a recycled pid is never mistaken for it. */
  startTicks: number | null;
  attempt: number;
}

export function groupRecord(pgid: number, attempt: number): GroupRecord {
  return { pgid, host: hostname(), startTicks: startTicksOf(pgid), attempt };
}

export function parseGroupRecord(text: string | undefined): GroupRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const r = JSON.parse(text) as Partial<GroupRecord>;
    if (typeof r.pgid !== 'number' || !Number.isInteger(r.pgid) || r.pgid <= 1 || typeof r.host !== 'string') return undefined;
    return { pgid: r.pgid, host: r.host, startTicks: typeof r.startTicks === 'number' ? r.startTicks : null, attempt: Number(r.attempt) || 0 };
  } catch {
    return undefined;
  }
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, ...]; undefined off Linux or when gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function startTicksOf(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[19]) : null; // field 22 of the whole line
}

/**
 * True while a live (non-zombie) process is in group `pgid`. `kill(-pgid, 0)` alone also counts
 * zombies, which stay forever under an init that never reaps (some containers' PID 1).
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: trust kill()
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/** Sends `signal` to the whole group; false when it is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `check()` is false; polls (a process that is not our child cannot be waited on). */
function whileTrue(check: () => boolean, clock: Clock, everyMs = 25): Promise<void> {
  return new Promise((resolve) => {
    const tick = () => (check() ? clock.setTimer(everyMs, tick) : resolve());
    tick();
  });
}

/**
 * Stops the group: SIGTERM, then SIGKILL when it still runs after `graceMs`. `exited` resolves
 * when the leader is gone (our own child: its exit event); without it the group is polled.
 * The grace runs on `clock`; the polling on real time, since it only watches the kernel.
 */
export async function stopGroup(pgid: number, graceMs: number, clock: Clock, exited?: Promise<unknown>): Promise<'gone' | 'terminated' | 'killed'> {
  if (!signalGroup(pgid, 'SIGTERM')) return 'gone';
  let timer: { cancel(): void } | undefined;
  const graceOver = new Promise<'grace'>((resolve) => (timer = clock.setTimer(graceMs, () => resolve('grace'))));
  const gone = (exited ?? Promise.resolve()).then(() => whileTrue(() => groupAlive(pgid), realTime)).then(() => 'gone' as const);
  const first = await Promise.race([gone, graceOver]);
  timer?.cancel();
  if (first === 'gone') return 'terminated';
  signalGroup(pgid, 'SIGKILL');
  await whileTrue(() => groupAlive(pgid), realTime);
  return 'killed';
}

const realTime: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  setTimer: (ms, fn) => {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * The group an earlier attempt recorded, if it still runs here: same host, and (where the
 * system tells) the same leader start time, or no leader any more but live members.
 */
export function isOrphanStillRunning(record: GroupRecord): boolean {
  if (record.host !== hostname()) return false; // another machine's process: not ours to signal
  if (!groupAlive(record.pgid)) return false;
  const ticks = startTicksOf(record.pgid);
  if (ticks === null || record.startTicks === null) return true; // leader gone (members remain) or no /proc
  const leader = statFields(record.pgid);
  return ticks === record.startTicks || (leader !== undefined && Number(leader[2]) !== record.pgid);
}
