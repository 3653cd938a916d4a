import { Lifeline } from '../engine/lifeline.js';
import { LifelineError } from '../errors/lifeline-error.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

export interface GlobalOptions {
  db?: string;
}

export function dbLocation(options: GlobalOptions): string {
  return options.db ?? process.env.LIFELINE_DB ?? './lifeline.db';
}

export async function openLifeline(options: GlobalOptions): Promise<Lifeline> {
  try {
    return await Lifeline.open({ db: dbLocation(options) });
  } catch (error) {
    if (error instanceof LifelineError) throw new CliError(error.message, EXIT.DATABASE);
    throw error;
  }
}

export function parseJsonArg(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`, EXIT.USAGE);
  }
}
