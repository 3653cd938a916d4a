import { describe, expect, it } from 'vitest';
import { storeConformanceSuite, type StoreConformanceOptions } from '../../src/exports/testing-conformance.js';
import { openTempSqlite } from './sqlite-temp.js';

// Bad options to the kit fail before any describe block is registered, naming the field.
describe('storeConformanceSuite options', () => {
  const known =
    'runs, claims, steps, attempts, signals, lifecycle, parking, ledger, recoveries, fallbackAttempts, limits, breakers, activity, cache, retention, schedules, messages, insightRecords, attemptDetails, insight, rewind, versions, mailbox, scheduleApi, compensation';
  it.each([
    [{ name: '', open: openTempSqlite }, 'storeConformanceSuite: name must be a non-empty string'],
    [{ name: 'x', open: 'sqlite' }, 'storeConformanceSuite: open must be a function returning { store, cleanup }'],
    [{ name: 'x', open: openTempSqlite, areas: [] }, `storeConformanceSuite: areas must be a non-empty array of ${known}`],
    [
      { name: 'x', open: openTempSqlite, areas: ['runs', 'leases', 'cron'] },
      `storeConformanceSuite: areas has unknown "leases", "cron"; known areas: ${known}`,
    ],
  ])('%j is refused', (options, message) => {
    expect(() => storeConformanceSuite(options as unknown as StoreConformanceOptions)).toThrow(new TypeError(message));
  });
});
