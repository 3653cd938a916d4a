import { configDefaults, defineConfig } from 'vitest/config';

// Files whose worker processes hold leases of a second or two and are SIGKILLed or stalled on
// purpose: they run one at a time, after the rest, so that no other file's load stretches a
// heartbeat past its lease. Everything else runs two files at a time (Vitest's default on a
// 2-core machine is one): most files wait on child processes, PostgreSQL or SQLite far more than
// they compute. See docs/decisions/2026-11-30-test-suite-time.md.
const ONE_AT_A_TIME = [
  'test/crash/**/*.test.ts',
  'test/chaos/**/*.test.ts',
  'test/costs/cap-crash.test.ts',
  'test/conformance/sqlite-multiprocess.test.ts',
  'test/cli/stalled-run.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    // One PostgreSQL server for the run, shared by the files through fresh schemas (test/pg/pg-fixture.ts).
    globalSetup: ['./test/pg/pg-global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ONE_AT_A_TIME],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'one-at-a-time', include: ONE_AT_A_TIME, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
