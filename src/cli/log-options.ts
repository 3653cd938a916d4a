// `--log json|pretty` and `--log-file PATH` of the long-running commands (worker, run, and resume
// / retry when they execute): structured logs of the engine's events (observe/event-log.ts).
import { createWriteStream } from 'node:fs';
import { Option } from 'commander';
import type { Lifeline } from '../engine/lifeline.js';
import { createEventLogger } from '../observe/event-log.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

export interface LogFlags {
  log?: string;
  logFile?: string;
}

/** Where the structured logs go, once attached. */
export interface AttachedLogs {
  /** True when they go to stdout (the command's own progress lines then stay off it). */
  toStdout: boolean;
  /** Flushes and closes the log file (nothing for stdout). */
  close(): Promise<void>;
}

/** The two options (chained with `.addOption`); `text` (the readable progress lines) stays the default format. */
export function logOptions(): [Option, Option] {
  return [
    new Option('--log <format>', 'engine events as "text" (readable progress, default), "json" (pino, one line per event) or "pretty" (readable log lines)'),
    new Option('--log-file <path>', 'append the structured log lines (json unless --log pretty) to PATH instead of stdout'),
  ];
}

/** Checks the flags; null when no structured logs were asked for. */
export function logFormatOf(flags: LogFlags): 'json' | 'pretty' | null {
  const format = flags.log ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'pretty')
    throw new CliError(`--log must be "text", "json" or "pretty" (got "${format}")`, EXIT.USAGE);
  if (flags.logFile !== undefined && flags.logFile.trim() === '') throw new CliError('--log-file must name a file (got "")', EXIT.USAGE);
  if (format === 'text') return flags.logFile === undefined ? null : 'json';
  return format;
}

/** Logs every event `lifeline` publishes (its workers' included) as asked by the flags. */
export async function attachLogs(lifeline: Lifeline, flags: LogFlags): Promise<AttachedLogs | null> {
  const format = logFormatOf(flags);
  if (format === null) return null;
  if (flags.logFile === undefined) {
    lifeline.events.on('event', await createEventLogger(process.stdout, format));
    return { toStdout: true, close: () => Promise.resolve() };
  }
  const path = flags.logFile;
  const file = createWriteStream(path, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', (error) => reject(new CliError(`--log-file ${path}: ${error.message}`, EXIT.USAGE)));
  });
  file.on('error', (error) => process.stderr.write(`lifeline: writing the log file ${path} failed: ${error.message}\n`));
  lifeline.events.on('event', await createEventLogger(file, format));
  return {
    toStdout: false,
    close: () => new Promise<void>((resolve) => file.end(resolve)),
  };
}
