// Workflow versions on SQLite (versions-cases.ts), on a real database file; and the checks of
// the version option, of duplicate definitions and of patch ids, with their exact messages.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startEngine, tempDir, type TestEngine } from '../helpers.js';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { versionCases } from './versions-cases.js';

describe('workflow versions (SQLite)', () => {
  versionCases('sqlite', {
    open: () => {
      const tmp = tempDir();
      return Promise.resolve({ db: join(tmp.dir, 'versions.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});

describe('workflow versions: checks', () => {
  it('refuses a version that is not a positive 32-bit integer, naming the field and the bound', () => {
    for (const [bad, got] of [
      [0, '0'],
      [1.5, '1.5'],
      ['2', '"2"'],
      [2147483648, '2147483648'],
    ] as const) {
      expect(() => defineWorkflow('versions.bad', () => 1, { version: bad as number })).toThrow(
        `Invalid option workflow "versions.bad".version: must be an integer from 1 to 2147483647 (got ${got})`,
      );
    }
  });

  it('refuses a second definition of the same name and version only', () => {
    const one = defineWorkflow('versions.dup', () => 1, { version: 1 });
    const plain = defineWorkflow('versions.dup', () => 0);
    try {
      expect(defineWorkflow('versions.dup', () => 2, { version: 2 }).version).toBe(2);
      expect(() => defineWorkflow('versions.dup', () => 1, { version: 1 })).toThrow(
        'Version 1 of workflow "versions.dup" is already registered; a name and version must be unique.',
      );
      expect(() => defineWorkflow('versions.dup', () => 0)).toThrow(
        'A workflow named "versions.dup" without a version is already registered; a name and version must be unique (give one of them a version to load both).',
      );
      expect([one.version, plain.version]).toEqual([1, null]);
    } finally {
      unregisterWorkflow('versions.dup');
    }
  });

  it('refuses a bad patch id in ctx.patched and ctx.deprecatePatch (the run fails with the message)', async () => {
    let engine: TestEngine | undefined;
    const patched = defineWorkflow('versions.bad-patch', async (ctx) => ctx.patched('has space'));
    const deprecated = defineWorkflow('versions.bad-deprecate', (ctx) => ctx.deprecatePatch(''));
    try {
      engine = await startEngine({ workflows: [patched, deprecated] });
      const a = await engine.lifeline.start(patched, null);
      await expect(a.result()).rejects.toThrow(
        'Invalid patch id in ctx.patched of workflow "versions.bad-patch": use 1-128 letters, digits, "_", ".", ":" or "-" (got "has space")',
      );
      const b = await engine.lifeline.start(deprecated, null);
      await expect(b.result()).rejects.toThrow(
        'Invalid patch id in ctx.deprecatePatch of workflow "versions.bad-deprecate": use 1-128 letters, digits, "_", ".", ":" or "-" (got "")',
      );
    } finally {
      await engine?.close();
      unregisterWorkflow(patched.name);
      unregisterWorkflow(deprecated.name);
    }
  });
});
