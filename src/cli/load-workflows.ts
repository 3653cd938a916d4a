import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/**
 * Imports the user's workflow module so that its defineWorkflow calls register. TypeScript
 * files go through tsx's loader, registered only when needed so that plain .js workflows keep
 * the CLI's start-up lean (resume latency is a product feature).
 */
export async function loadWorkflowFile(file: string): Promise<void> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliError(`Workflow file not found: ${path}`, EXIT.NOT_FOUND);
  if (/\.(c|m)?tsx?$/.test(path)) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  await import(pathToFileURL(path).href);
}
