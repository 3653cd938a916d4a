import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The project's own eslint.config.js decides. Files planted here exist only as strings, so the
// typed rules (which need the file in a tsconfig) are switched off; the layer rules are syntactic.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
});

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('layers enforced by lint', () => {
  it.each([
    ['src/policy/planted.ts', "import { Lifeline } from '../engine/lifeline.js';", 'policy/ must not import this layer'],
    ['src/policy/planted.ts', "import type { Store } from '../store/store.js';", 'policy/ must not import this layer'],
    ['src/store/planted.ts', "import { classifyError } from '../policy/classify.js';", 'store/ must not import this layer'],
    ['src/store/sqlite/planted.ts', "import { decideRetry } from '../../policy/backoff.js';", 'store/ must not import this layer'],
    ['src/store/postgres/planted.ts', "import { toRunRecord } from '../sqlite/rows.js';", 'The PostgreSQL store does not import from sqlite/'],
    ['src/store/sqlite/planted.ts', "import { PgExec } from '../postgres/exec.js';", 'The SQLite store does not import from postgres/'],
    ['src/workflow/planted.ts', "import { RunExecution } from '../engine/run-execution.js';", 'workflow/ must not import this layer'],
    ['src/workflow/planted.ts', "import type { RunExecution } from '../engine/run-execution.js';", 'workflow/ must not import this layer'],
    ['src/engine/planted.ts', "import { describeEvent } from '../cli/progress.js';", 'engine/ must not import this layer'],
    ['src/observe/planted.ts', "import { Lifeline } from '../engine/lifeline.js';", 'observe/ must not import this layer'],
    ['src/errors/planted.ts', "import type { ErrorClass } from '../policy/classification.js';", 'errors/ must not import this layer'],
    ['src/engine/planted.ts', "import pg from 'pg';", 'pg is imported only under src/store/postgres/'],
    ['src/store/open-planted.ts', "import Database from 'better-sqlite3';", 'better-sqlite3 is imported only under src/store/sqlite/'],
    ['src/testing/planted.ts', "import { Lifeline } from '../engine/lifeline.js';", 'testing/ must not import this layer'],
    ['src/store/planted.ts', "import { claimArgs } from '../testing/store-conformance/helpers.js';", 'store/ must not import this layer'],
    ['src/engine/planted.ts', "import { expect } from 'vitest';", 'vitest is imported only under src/testing/'],
    ['src/agent/planted.ts', "import { RunContext } from '../workflow/run-context.js';", 'agent/ imports only types from this layer'],
    ['src/agent/planted.ts', "import { toJson } from '../store/serialize.js';", 'agent/ imports only types from this layer'],
    ['src/agent/planted.ts', "import type { Lifeline } from '../engine/lifeline.js';", 'agent/ must not import this layer'],
    ['src/workflow/planted.ts', "import { loopGuard } from '../agent/loop-guard.js';", 'workflow/ must not import this layer'],
    ['src/index.ts', "export { storeConformanceSuite } from './exports/testing-conformance.js';", 'The root export does not load the testing kit'],
    ['src/agent-process/planted.ts', "import type { AttemptHost } from '../engine/attempt-host.js';", 'agent-process/ must not import this layer'],
    ['src/agent-process/planted.ts', "import type { Store } from '../store/store.js';", 'agent-process/ must not import this layer'],
    ['src/engine/planted.ts', "import { runAgentProcess } from '../agent-process/run-agent-process.js';", 'engine/ must not import this layer'],
    ['src/gates/planted.ts', "import { RunContext } from '../workflow/run-context.js';", 'gates/ imports only types from this layer'],
    ['src/gates/planted.ts', "import type { Lifeline } from '../engine/lifeline.js';", 'gates/ must not import this layer'],
    ['src/cli/planted.ts', "import { qualityGate } from '../gates/quality-gate.js';", 'cli/ must not import this layer'],
  ])('%s: %s is reported', async (file, code, message) => {
    const errors = await layerErrors(file, `${code}\n\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('@typescript-eslint/no-restricted-imports');
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['src/policy/planted.ts', "import type { Clock } from '../time/clock.js';"],
    ['src/store/postgres/planted.ts', "import { toRunRecord } from '../rows.js';"],
    ['src/workflow/planted.ts', "import type { Store } from '../store/store.js';"],
    ['src/cli/commands/planted.ts', "import { Lifeline } from '../../engine/lifeline.js';"],
    ['src/agent-process/planted.ts', "import type { StepInfo } from '../workflow/context.js';\nimport { redactSecrets } from '../errors/redact.js';"],
    ['src/store/postgres/planted.ts', "import pg from 'pg';"],
    ['src/agent/planted.ts', "import type { WorkflowContext } from '../workflow/context.js';\nimport { checkNumber } from '../options/option-check.js';"],
    [
      'src/testing/store-conformance/planted.ts',
      "import { describe } from 'vitest';\nimport type { Store } from '../../store/store.js';\nimport { ManualClock } from '../../time/clock.js';",
    ],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await layerErrors(file, `${code}\n\n`)).toEqual([]);
  });
});
