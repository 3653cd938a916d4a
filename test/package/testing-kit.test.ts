import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A third-party backend's test run, as its author would set it up: a separate app with its own
// vitest run, importing the kit from `lifeline-workflows/testing/conformance` and the Store contract from
// `lifeline-workflows/store`, both resolved through package.json "exports" to the built dist/.
// The backend under test is the SQLite store opened through the public subpath, plus a wrapper
// that breaks createRun's idempotency: the kit must pass the first and report the second.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'lifeline-kit-'));
  for (const name of [pkg.name, 'vitest']) {
    const linked = join(app, 'node_modules', name);
    mkdirSync(dirname(linked), { recursive: true });
    symlinkSync(name === pkg.name ? root : join(root, 'node_modules', name), linked, 'dir');
  }
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

const BACKEND_TEST = `
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '${pkg.name}/store';
import { storeConformanceSuite } from '${pkg.name}/testing/conformance';

async function open() {
  const dir = await mkdtemp(join(tmpdir(), 'kit-backend-'));
  const store = await openSqliteStore(join(dir, 'store.db'));
  return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
}

storeConformanceSuite({ name: 'sqlite via the package', open });

// A backend with a bug: a second createRun with the same id makes a new run instead of returning the first.
storeConformanceSuite({
  name: 'forgetful',
  areas: ['runs'],
  open: async () => {
    const opened = await open();
    const store = opened.store;
    const createRun = store.createRun.bind(store);
    let n = 0;
    store.createRun = (args) => createRun({ ...args, id: args.id + '~' + n++ });
    return opened;
  },
});
`;

interface JsonReport {
  testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string }[] }[];
}

function runKit(): JsonReport {
  writeFileSync(join(app, 'backend.test.mjs'), BACKEND_TEST);
  const report = join(app, 'report.json');
  const vitest = join(app, 'node_modules', 'vitest', 'vitest.mjs');
  try {
    execFileSync(process.execPath, [vitest, 'run', '--root', app, '--reporter=json', `--outputFile=${report}`], { cwd: app, stdio: 'pipe' });
  } catch {
    // Exits 1 because the forgetful backend fails; the report says which tests did.
  }
  return JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
}

describe('the store conformance kit, as a third-party backend runs it', () => {
  it('passes every case against the SQLite store from lifeline-workflows/store and reports a broken backend', () => {
    const results = runKit().testResults.flatMap((f) => f.assertionResults);
    const of = (suite: string) => results.filter((r) => r.ancestorTitles[0] === `Store conformance: ${suite}`);

    const good = of('sqlite via the package');
    expect(good.length).toBeGreaterThanOrEqual(55);
    expect(good.filter((r) => r.status !== 'passed').map((r) => r.title)).toEqual([]);

    const broken = of('forgetful');
    expect(broken.every((r) => r.ancestorTitles[1] === 'createRun / getRun' || r.ancestorTitles[1] === 'listRuns')).toBe(true);
    expect(broken.filter((r) => r.status === 'failed').map((r) => r.title)).toContain(
      'is idempotent on id: the second call returns the existing run unchanged',
    );
  });
});
