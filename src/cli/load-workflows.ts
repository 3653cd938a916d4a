import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import type { LimitsConfig } from '../options/limit-options.js';
import type { BreakersOption } from '../breakers/shared-options.js';
import type { PricingOptions } from '../costs/prices.js';

/** What a workflow file exports besides its workflows, for the Lifeline the CLI opens (checked by Lifeline.open). */
export interface WorkflowFileOptions {
  limits?: LimitsConfig;
  breakers?: BreakersOption;
  pricing?: PricingOptions;
  secrets?: readonly string[];
}

/** The Lifeline.open options a workflow file may export by name (`export const breakers = { ... }`). */
const FILE_OPTIONS = ['limits', 'breakers', 'pricing', 'secrets'] as const;

/**
 * Imports the user's workflow module so that its defineWorkflow calls register. TypeScript
 * files go through tsx's loader, registered only when needed so that plain .js workflows keep
 * the CLI's start-up lean (resume latency is a product feature).
 */
export async function loadWorkflowFile(file: string): Promise<WorkflowFileOptions> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliError(`Workflow file not found: ${path}`, EXIT.NOT_FOUND);
  const url = pathToFileURL(path).href;
  const typescript = /\.(c|m)?tsx?$/.test(path);
  try {
    if (typescript) {
      const { register } = await import('tsx/esm/api');
      register();
    }
    const module = (await import(url)) as Record<string, unknown>;
    // E.g. the shared limits and breakers the file's steps name (`export const limits = { openai: { concurrency: 4 } }`).
    const options: Record<string, unknown> = {};
    for (const name of FILE_OPTIONS) if (module[name] !== undefined) options[name] = module[name];
    return options as WorkflowFileOptions;
  } catch (error) {
    if (!isSyntaxError(error)) throw error;
    // Node's SyntaxError for an ES module names neither the file nor the line: compile the
    // file and the local files it imports with esbuild (only now, on the error path), which does.
    const located = typescript ? error : await locateWithEsbuild(path, error);
    throw syntaxCliError(path, located);
  }
}

const ESBUILD_ERROR = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m;

function isSyntaxError(error: unknown): error is Error {
  return error instanceof SyntaxError || (error instanceof Error && error.message.startsWith('Transform failed') && ESBUILD_ERROR.test(error.message));
}

async function locateWithEsbuild(path: string, original: Error): Promise<Error> {
  const { build } = await import('esbuild');
  try {
    // Packages stay external: only the user's own files are parsed; nothing is written or run.
    await build({ entryPoints: [path], bundle: true, write: false, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location: { file: string; line: number; column: number } | null }> }).errors?.[0];
    if (first?.location) {
      const { file, line, column } = first.location;
      return new Error(`${file}:${line}:${column}: ERROR: ${first.text}`);
    }
  }
  return original; // esbuild accepted what Node refused: report Node's message without a position
}

function syntaxCliError(workflowFile: string, error: Error): CliError {
  const match = ESBUILD_ERROR.exec(error.message);
  if (!match) return new CliError(`Syntax error in workflow file ${workflowFile}: ${error.message}`, EXIT.USAGE);
  const [, where = '', line = '', column = '', message = ''] = match;
  const file = resolve(where);
  const at = `line ${line}, column ${Number(column) + 1}`; // esbuild counts columns from 0
  const text =
    file === workflowFile
      ? `Syntax error in workflow file ${file} at ${at}: ${message}`
      : `Syntax error in ${file} at ${at}: ${message} (imported by workflow file ${workflowFile})`;
  return new CliError(text, EXIT.USAGE);
}
