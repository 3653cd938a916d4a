import { Lifeline } from '../engine/lifeline.js';
import type { WorkflowFileOptions } from './load-workflows.js';
import { LifelineError } from '../errors/lifeline-error.js';
import { systemClock } from '../time/clock.js';
import { retryWhileUnavailable } from '../engine/store-retry.js';
import { openStore, redactedLocation } from '../store/open-store.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

export interface GlobalOptions {
  db?: string;
}

export function dbLocation(options: GlobalOptions): string {
  return options.db ?? process.env.LIFELINE_DB ?? './lifeline.db';
}

export async function openLifeline(options: GlobalOptions, file: WorkflowFileOptions = {}): Promise<Lifeline> {
  try {
    return await Lifeline.open({ db: dbLocation(options), ...file });
  } catch (error) {
    throw databaseError(error);
  }
}

/**
 * For a worker: while the database cannot be reached (PostgreSQL down or restarting), waits and
 * tries again with the engine's store backoff, saying so on stderr each time (URL without its
 * password), like a worker that loses the database while running. Ends on `signal`.
 */
export async function openLifelineWaiting(options: GlobalOptions, signal: AbortSignal, file: WorkflowFileOptions = {}): Promise<Lifeline> {
  const location = dbLocation(options);
  try {
    const lifeline = await retryWhileUnavailable(() => Lifeline.open({ db: location, ...file }), {
      clock: systemClock,
      signal,
      onRetry: (error, delayMs) =>
        process.stderr.write(`lifeline: cannot reach the database ${redactedLocation(location)} (${error.message}); retrying in ${delayMs} ms\n`),
    });
    if (lifeline === undefined) throw new Error('unreachable: no landedIf given');
    return lifeline;
  } catch (error) {
    throw databaseError(error);
  }
}

/**
 * For commands that only read (`runs`, `show`): the database is opened read-only, so a missing
 * one is reported instead of created, and a file the user cannot write can still be read.
 */
export async function openLifelineReadOnly(options: GlobalOptions): Promise<{ lifeline: Lifeline; close: () => Promise<void> }> {
  try {
    const store = await openStore(dbLocation(options), { readOnly: true });
    const lifeline = await Lifeline.open({ db: store });
    return {
      lifeline,
      close: async () => {
        await lifeline.close();
        await store.close();
      },
    };
  } catch (error) {
    throw databaseError(error);
  }
}

function databaseError(error: unknown): unknown {
  return error instanceof LifelineError ? new CliError(error.message, EXIT.DATABASE) : error;
}

export function parseJsonArg(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`, EXIT.USAGE);
  }
}
