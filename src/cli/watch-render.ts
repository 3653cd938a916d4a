// What `lifeline watch` draws, as pure functions of the data and the terminal: lines keyed by what
// they are about, a TTY painter that redraws them in place (ANSI cursor moves, a progress bar,
// colours unless NO_COLOR) and a plain painter that prints only the lines that changed (no
// escape codes at all: stdout is a file or a pipe).
import type { RunOverview } from '../observe/run-overview.js';
import type { ActivityState } from '../observe/run-activity.js';
import type { AttemptRecord, StepRecord } from '../store/types.js';

export interface FrameLine {
  /** What the line is about ("run", "step:fetch#0", ...): the plain painter reprints a key when its text changes. */
  key: string;
  text: string;
  /** The run's state, at this index of `text`: shown in the state's colour on a TTY. */
  state?: { name: ActivityState; at: number };
  /** Where the progress bar goes on a TTY: inserted before `text`'s character at this index (when the width leaves room for 5 cells or more). */
  bar?: { at: number; percent: number | null };
}

export interface Terminal {
  /** Columns; lines are cut to fit so a redraw never wraps. */
  width: number;
  color: boolean;
}

/**
 * The terminal `watch` draws on, or null for plain lines (stdout is not a TTY). Colours unless
 * NO_COLOR is set to a non-empty value (https://no-color.org).
 */
export function terminalOf(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): Terminal | null {
  if (stream.isTTY !== true) return null;
  return { width: stream.columns ?? 80, color: (env.NO_COLOR ?? '') === '' };
}

const COLORS: Partial<Record<ActivityState, number>> = {
  running: 32,
  completed: 32,
  retrying: 33,
  deferred: 33,
  stuck: 31,
  failed: 31,
  parked: 31,
  waiting: 36,
  sleeping: 36,
  pending: 36,
};

/** "[██████░░░░░░]" of `width` cells (inside the brackets); "[????]" when the percentage is unknown. */
export function progressBar(percent: number | null, width: number): string {
  const cells = Math.max(1, width);
  if (percent === null) return `[${'·'.repeat(cells)}]`;
  const full = Math.round((Math.min(100, Math.max(0, percent)) / 100) * cells);
  return `[${'█'.repeat(full)}${'░'.repeat(cells - full)}]`;
}

function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** One line as a TTY shows it: bar inserted, cut to the width, the state coloured. */
export function ttyLine(line: FrameLine, term: Terminal): string {
  let text = line.text;
  let stateAt = line.state?.at ?? -1;
  if (line.bar) {
    // Up to 20 cells, leaving 40 columns for the progress text and what follows (cut if longer).
    const barWidth = Math.min(20, term.width - line.bar.at - 40);
    if (barWidth >= 5) {
      const bar = `${progressBar(line.bar.percent, barWidth)} `;
      text = `${text.slice(0, line.bar.at)}${bar}${text.slice(line.bar.at)}`;
      if (stateAt >= line.bar.at) stateAt += bar.length;
    }
  }
  text = fit(text, term.width);
  const code = line.state === undefined ? undefined : COLORS[line.state.name];
  if (!term.color || code === undefined || line.state === undefined) return text;
  const end = stateAt + line.state.name.length;
  if (stateAt < 0 || text.slice(stateAt, end) !== line.state.name) return text; // cut off by the width
  return `${text.slice(0, stateAt)}\x1b[${code}m${line.state.name}\x1b[39m${text.slice(end)}`;
}

/** Redraws a frame in place: cursor up over the previous frame, each line cleared and rewritten, the rest below cleared. */
export class TtyPainter {
  private drawn = 0;

  constructor(public term: Terminal) {}

  paint(frame: readonly FrameLine[]): string {
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A\r` : '';
    for (const line of frame) out += `\x1b[2K${ttyLine(line, this.term)}\n`;
    this.drawn = frame.length;
    return `${out}\x1b[J`;
  }
}

/** Prints the lines whose text changed since they were last printed (new keys included), as they are. */
export class PlainPainter {
  private readonly printed = new Map<string, string>();

  paint(frame: readonly FrameLine[]): string {
    let out = '';
    for (const line of frame) {
      if (this.printed.get(line.key) === line.text) continue;
      this.printed.set(line.key, line.text);
      out += `${line.text}\n`;
    }
    return out;
  }
}

function progressLine(key: string, prefix: string, o: RunOverview): FrameLine {
  return { key, text: `${prefix}${o.progress.text}`, bar: { at: prefix.length, percent: o.run.status === 'completed' ? 100 : o.progress.percent } };
}

const STEP_MARK: Record<StepRecord['status'], string> = { completed: '✓', failed: '✗', waiting: '…' };

/** The one-run view: state and why, progress, then each step and each failed attempt. */
export function runFrame(o: RunOverview, steps: readonly StepRecord[], attempts: readonly AttemptRecord[]): FrameLine[] {
  const { run, activity } = o;
  const head = `run ${run.id} (${run.workflow}): `;
  const lines: FrameLine[] = [{ key: 'run', text: `${head}${activity.state}`, state: { name: activity.state, at: head.length } }];
  if (activity.reason !== activity.state) lines.push({ key: 'reason', text: `  ${activity.reason}` });
  lines.push(progressLine('progress', '  progress ', o));
  const committed = new Set(steps.map((s) => s.stepId));
  const failedAttempts = (stepId: string) =>
    attempts
      .filter((a) => a.stepId === stepId && a.outcome !== 'succeeded' && a.outcome !== 'running')
      .map((a) => ({
        key: `attempt:${a.stepId}:${a.attempt}`,
        text: `      ✗ attempt ${a.attempt} ${a.outcome}${a.errorClass ? ` [${a.errorClass}]` : ''}${a.errorMessage ? ` ${a.errorMessage}` : ''}`,
      }));
  for (const s of steps) {
    const took = s.completedAt === null ? '' : `  ${s.completedAt - s.startedAt} ms`;
    lines.push({
      key: `step:${s.stepId}`,
      text: `  ${STEP_MARK[s.status]} ${s.stepId}  ${s.status}  ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}${took}`,
    });
    lines.push(...failedAttempts(s.stepId));
  }
  // The step in flight: attempts of a step not committed yet.
  const open = attempts.filter((a) => !committed.has(a.stepId));
  const current = open.at(-1);
  if (current && (run.status === 'running' || run.status === 'pending' || run.status === 'sleeping')) {
    const doing = current.outcome === 'running' ? 'running' : `attempt ${current.attempt} ${current.outcome}`;
    lines.push({ key: `step:${current.stepId}`, text: `  ▸ ${current.stepId}  ${doing}  attempt ${current.attempt}` });
    lines.push(...failedAttempts(current.stepId));
  }
  return lines;
}

/** The live runs view: one line per run (id, workflow, state, progress, why), newest first. */
export function listFrame(overviews: readonly RunOverview[]): FrameLine[] {
  if (overviews.length === 0) return [{ key: 'count', text: 'no live runs' }];
  const idWidth = Math.max(...overviews.map((o) => o.run.id.length));
  const wfWidth = Math.max(...overviews.map((o) => o.run.workflow.length));
  const lines: FrameLine[] = [{ key: 'count', text: `${overviews.length} live run${overviews.length === 1 ? '' : 's'}` }];
  for (const o of overviews) {
    const head = `${o.run.id.padEnd(idWidth)}  ${o.run.workflow.padEnd(wfWidth)}  ${o.activity.state.padEnd(8)}  `;
    const line = progressLine(`run:${o.run.id}`, head, o);
    const why = o.activity.reason === o.activity.state ? '' : `  ${o.activity.reason}`;
    lines.push({ ...line, text: `${line.text}${why}`, state: { name: o.activity.state, at: idWidth + wfWidth + 4 } });
  }
  return lines;
}
