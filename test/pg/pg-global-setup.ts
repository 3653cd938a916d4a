// Vitest globalSetup: one throwaway PostgreSQL server for the whole run, handed to the test
// files (inject('lifelinePgUrl')), instead of an initdb and a start in every file that uses
// PostgreSQL. Files share it through fresh schemas (pg-fixture.ts); a file that stops or restarts
// its server asks for one of its own (usePostgres({ ownServer: true })). With
// LIFELINE_TEST_PG_URL set, that server is used as before and nothing is started here. When no
// server can be started, nothing is provided: each file starts its own and fails there, saying why.
import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './pg-harness.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the run's shared PostgreSQL server; '' when there is none. */
    lifelinePgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  project.provide('lifelinePgUrl', '');
  if ((process.env['LIFELINE_TEST_PG_URL'] ?? '') !== '') return undefined;
  let server;
  try {
    server = await startTestPostgres();
  } catch (error) {
    process.stderr.write(`pg-global-setup: no shared PostgreSQL server (${(error as Error).message.split('\n')[0]}); files start their own\n`);
    return undefined;
  }
  project.provide('lifelinePgUrl', server.url);
  return () => server.stop();
}
