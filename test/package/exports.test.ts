import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Imports each subpath the way an app does: by package name, through package.json "exports",
// from the built dist/ (npm test builds it first). The package is linked into a temp app.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, { types: string; import: string }>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'lifeline-exports-'));
  const linked = join(app, 'node_modules', pkg.name);
  mkdirSync(dirname(linked), { recursive: true });
  symlinkSync(root, linked, 'dir');
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

function inApp(code: string): unknown {
  writeFileSync(join(app, 'probe.mjs'), code);
  return JSON.parse(execFileSync(process.execPath, [join(app, 'probe.mjs')], { cwd: app, encoding: 'utf8' })) as unknown;
}

/** The files reachable from `entry` through relative imports, and the packages they import. */
function importGraph(entry: string, ext: '.js' | '.d.ts'): { files: number; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      if (spec!.startsWith('.')) queue.push(join(dirname(file), spec!.replace(/\.js$/, ext)));
      else packages.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
    }
  }
  return { files: seen.size, packages: [...packages].sort() };
}

/** The declaration files an app's type checker reads from one entry, and the packages they import. */
function reachableDeclarations(sub: string): { files: Set<string>; packages: [string, string][] } {
  const files = new Set<string>();
  const packages: [string, string][] = [];
  const queue = [join(root, pkg.exports[sub]!.types)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      if (spec!.startsWith('.')) queue.push(join(dirname(file), spec!.replace(/\.js$/, '.d.ts')));
      else packages.push([file, spec!]);
    }
  }
  return { files, packages };
}

const keysOf = (subpath: string) =>
  inApp(`const m = await import('${pkg.name}${subpath}');\nconsole.log(JSON.stringify(Object.keys(m).sort()));\n`) as string[];

describe('the tiered public API, as installed', () => {
  it('declares types and an import for each subpath, and the files exist', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', './store', './testing', './testing/conformance', './openai', './ai-sdk', './package.json']);
    for (const sub of ['.', './store', './testing', './testing/conformance', './openai', './ai-sdk']) {
      for (const file of [pkg.exports[sub]!.types, pkg.exports[sub]!.import]) expect(existsSync(join(root, file)), `${sub}: ${file}`).toBe(true);
    }
  });

  it('the root is for authoring, the client and errors; internal helpers are gone', () => {
    const root = keysOf('');
    for (const name of [
      'defineWorkflow',
      'Lifeline',
      'ClassifiedError',
      'LifelineError',
      'StepTimeoutError',
      'NonDeterminismError',
      'classifyError',
      'DEFAULT_RETRY_POLICY',
      'ERROR_CLASSES',
      'BudgetExceededError',
      'UnpricedModelError',
      'PriceTable',
      'DEFAULT_PRICES',
      'DEFAULT_PRICES_COMPILED',
      'KNOWN_ERROR_KINDS',
      'registerSecret',
      'withoutSdkRetries',
      'llmStep',
      'eventLogger',
      'TRACE_ATTRIBUTES',
      'GEN_AI_ATTRIBUTES',
      'COST_ATTRIBUTE',
      'listRunOverviews',
      'runOverview',
      'classifyRun',
      'liveVersionsOf',
      'versionGap',
      'estimateProgress',
      'ProgressHistory',
      'ACTIVITY_STATES',
      'pruneRuns',
      'MessageUndeliverableError',
      'ReceiveTimeoutError',
      'ScheduleNotFoundError',
      'RewindTargetNotFoundError',
      'ScheduleSourceError',
      'CompensationFailedError',
      'checkSlos',
      'recordFix',
      'listFixes',
      'recommend',
      'recommendations',
      'recoveryReport',
      'BURN_WINDOWS',
      'computeFingerprint',
      'describeFingerprint',
      'FINGERPRINT_VERSION',
      'refingerprint',
      'coverage',
      'insight',
      'TREND_RULES',
      'DEFAULT_HEALTH_THRESHOLDS',
    ]) {
      expect(root).toContain(name);
    }
    for (const name of [
      'decideRetry',
      'resolveRetryPolicy',
      'redactSecrets',
      'redactKnownValues',
      'runWithTimeout',
      'ManualClock',
      'systemClock',
      'openStore',
      'registeredWorkflows',
      'WorkflowContext',
      'Worker',
      'openaiChat',
      'aiSdkText',
    ]) {
      expect(root).not.toContain(name);
    }
  });

  it('store and testing subpaths hold the Store open functions and the manual clock', () => {
    expect(keysOf('/store')).toEqual([
      'CLAIMABLE',
      'LIFECYCLE',
      'NOTHING_TO_SKIP',
      'NOT_ESCALATED',
      'TERMINAL_STATUSES',
      'applyBreakerUpdate',
      'bucketLevel',
      'decide',
      'decideAcquire',
      'decideCacheClaim',
      'decideRelease',
      'emptyLimitRow',
      'escalatedError',
      'isClaimable',
      'isPoison',
      'isTerminal',
      'openPostgresStore',
      'openSqliteStore',
      'openStore',
      'outcomeOnFinish',
      'parseVersionKey',
      'recoveryStatus',
      'releaseStatus',
      'rewindTarget',
      'rewound',
      'scheduleRunId',
      'settleStoresValue',
      'sortedKeys',
      'statusesOf',
      'summarizeBreaker',
      'toLimitStatus',
      'toStepGenerationRecord',
      'versionKey',
    ]);
    expect(keysOf('/testing')).toEqual([
      'HISTORY_FINGERPRINT_VERSION',
      'ManualClock',
      'flushAsync',
      'generateInsightHistory',
      'historyFingerprint',
      'insightHistoryRuns',
    ]);
    expect(keysOf('/testing/conformance')).toEqual(['CONFORMANCE_AREAS', 'storeConformanceSuite']);
  });

  it('the SDK adapters live in subpaths of their own (their declarations name the SDKs, optional peers)', () => {
    expect(keysOf('/openai')).toEqual(['openaiAnswer', 'openaiChat']);
    expect(keysOf('/ai-sdk')).toEqual(['aiSdkAnswer', 'aiSdkText']);
    expect(pkg.peerDependenciesMeta?.openai).toEqual({ optional: true });
    expect(pkg.peerDependenciesMeta?.ai).toEqual({ optional: true });
  });

  it('only /testing/conformance loads vitest (an optional peer): the root, /store and /testing never import it', () => {
    expect(importGraph(join(root, pkg.exports['.']!.import), '.js').packages).not.toContain('vitest');
    expect(importGraph(join(root, pkg.exports['./store']!.import), '.js').packages).not.toContain('vitest');
    expect(importGraph(join(root, pkg.exports['./testing']!.import), '.js').packages).not.toContain('vitest');
    expect(importGraph(join(root, pkg.exports['./testing/conformance']!.import), '.js').packages).toContain('vitest');
    expect(pkg.peerDependencies?.vitest).toBeDefined();
    expect(pkg.peerDependenciesMeta?.vitest).toEqual({ optional: true });
  });

  it('the three entries work together: a store from /store, a clock from /testing, the client from the root', () => {
    const out = inApp(`
import { defineWorkflow, Lifeline } from '${pkg.name}';
import { openSqliteStore } from '${pkg.name}/store';
import { ManualClock } from '${pkg.name}/testing';
const wf = defineWorkflow('exports-probe', async (ctx, n) => ctx.step('double', () => n * 2));
const store = await openSqliteStore(${JSON.stringify(join(app, 'probe.db'))});
const lifeline = await Lifeline.open({ db: store, clock: new ManualClock() });
lifeline.worker().start();
const run = await lifeline.start(wf, 21);
console.log(JSON.stringify(await run.result()));
await lifeline.close();
await store.close();
`);
    expect(out).toBe(42);
  });

  it('WorkflowContext and Worker are published as types only, without their constructors', () => {
    const dts = readFileSync(join(root, pkg.exports['.']!.types), 'utf8');
    expect(dts).toMatch(/export type \{ WorkflowContext, StepInfo, StepOptions, StepUsage \}/);
    expect(dts).toMatch(/export type \{ Worker \}/);
    expect(dts).not.toMatch(/decideRetry|resolveRetryPolicy|redact/);
  });

  it('the root declarations reach no engine internals: WorkflowContext and Worker are interfaces, without constructors', () => {
    const dist = join(root, 'dist');
    const reached = [...reachableDeclarations('.').files].map((f) => f.slice(dist.length + 1).replaceAll('\\', '/'));
    expect(reached.filter((f) => f.startsWith('engine/')).sort()).toEqual(['engine/lifeline.d.ts', 'engine/worker-api.d.ts']);
    expect(reached.filter((f) => f.startsWith('workflow/')).sort()).toEqual([
      'workflow/context.d.ts',
      'workflow/define.d.ts',
      'workflow/duration.d.ts',
      'workflow/jsonify.d.ts',
      'workflow/recovery-rules.d.ts',
      'workflow/routes.d.ts',
    ]);
    expect(readFileSync(join(dist, 'workflow', 'context.d.ts'), 'utf8')).toMatch(/export interface WorkflowContext \{/);
    expect(readFileSync(join(dist, 'engine', 'worker-api.d.ts'), 'utf8')).toMatch(/export interface Worker \{/);
  });

  it('the declarations an app reaches from each entry never import the database drivers', () => {
    const drivers: string[] = [];
    for (const sub of ['.', './store', './testing']) {
      const { files, packages } = reachableDeclarations(sub);
      for (const [file, spec] of packages) if (spec === 'pg' || spec === 'better-sqlite3') drivers.push(`${sub}: ${file} imports ${spec}`);
      expect(files.size).toBeGreaterThan(1);
    }
    expect(drivers).toEqual([]);
  });
});
