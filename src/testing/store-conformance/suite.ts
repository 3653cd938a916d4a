// The backend-agnostic Store contract as a vitest suite, published as `lifeline-workflows/testing`
// so any backend (ours or a third party's) proves itself against the same cases:
//   storeConformanceSuite({ name: 'sqlite', open: openTempSqlite });
// The cases live in one file per area beside this one; they talk to the Store interface only.
// This folder is the only place in src/ that imports vitest (an optional peer dependency).
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../store/store.js';
import { claimsConformance } from './claims.js';
import { lifecycleConformance } from './lifecycle.js';
import { parkingConformance } from './parking.js';
import { runsConformance } from './runs.js';
import { signalsConformance } from './signals.js';
import { stepsConformance } from './steps.js';
import { fencedAttemptsConformance } from './attempts-fenced.js';
import { ledgerConformance } from './ledger.js';
import { recoveriesConformance } from './recoveries.js';
import { fallbackAttemptsConformance } from './fallback-attempts.js';
import { limitsConformance } from './limits.js';
import { breakersConformance } from './breakers.js';
import { activityConformance } from './activity.js';
import { cacheConformance } from './cache.js';
import { retentionConformance } from './retention.js';
import { schedulesConformance } from './schedules.js';
import { messagesConformance } from './messages.js';
import { mailboxConformance } from './mailbox.js';
import { scheduleApiConformance } from './schedule-api.js';
import { insightRecordsConformance } from './insight-records.js';
import { attemptDetailsConformance } from './attempt-details.js';
import { insightConformance } from './insight.js';
import { rewindConformance } from './rewind.js';
import { versionsConformance } from './versions.js';
import { compensationConformance } from './compensation.js';
import type { GetStore } from './helpers.js';

/** An empty store for one test, and how to dispose of it afterwards. */
export interface OpenedStore {
  store: Store;
  cleanup: () => Promise<void>;
}

const AREAS = {
  runs: runsConformance,
  claims: claimsConformance,
  steps: stepsConformance,
  attempts: fencedAttemptsConformance,
  signals: signalsConformance,
  lifecycle: lifecycleConformance,
  parking: parkingConformance,
  ledger: ledgerConformance,
  recoveries: recoveriesConformance,
  fallbackAttempts: fallbackAttemptsConformance,
  limits: limitsConformance,
  breakers: breakersConformance,
  activity: activityConformance,
  cache: cacheConformance,
  retention: retentionConformance,
  schedules: schedulesConformance,
  messages: messagesConformance,
  insightRecords: insightRecordsConformance,
  attemptDetails: attemptDetailsConformance,
  insight: insightConformance,
  rewind: rewindConformance,
  versions: versionsConformance,
  mailbox: mailboxConformance,
  scheduleApi: scheduleApiConformance,
  compensation: compensationConformance,
} satisfies Record<string, (getStore: GetStore) => void>;

/** The suite's areas, in the order they run. */
export type ConformanceArea = keyof typeof AREAS;
export const CONFORMANCE_AREAS = Object.keys(AREAS) as ConformanceArea[];

export interface StoreConformanceOptions {
  /** Names the suite: `Store conformance: <name>`. */
  name: string;
  /**
   * Opens an empty store; called before every test, `cleanup` after it. The cases pass every
   * time as `now`, so a backend that can read lease expiry from its own clock opens with the
   * caller's clock here (the PostgreSQL store: `leaseClock: 'caller'`).
   */
  open: () => Promise<OpenedStore>;
  /** Runs only these areas (default: all), e.g. for a quick smoke run. */
  areas?: readonly ConformanceArea[];
}

function checkOptions(options: StoreConformanceOptions): readonly ConformanceArea[] {
  const where = 'storeConformanceSuite';
  if (typeof options?.name !== 'string' || options.name === '') throw new TypeError(`${where}: name must be a non-empty string`);
  if (typeof options.open !== 'function') throw new TypeError(`${where}: open must be a function returning { store, cleanup }`);
  const areas = options.areas ?? CONFORMANCE_AREAS;
  if (!Array.isArray(areas) || areas.length === 0) throw new TypeError(`${where}: areas must be a non-empty array of ${CONFORMANCE_AREAS.join(', ')}`);
  const unknown = areas.filter((a) => !(CONFORMANCE_AREAS as readonly string[]).includes(a));
  if (unknown.length > 0)
    throw new TypeError(`${where}: areas has unknown ${unknown.map((a) => JSON.stringify(a)).join(', ')}; known areas: ${CONFORMANCE_AREAS.join(', ')}`);
  return areas;
}

/** Registers the Store conformance suite (vitest describe/it blocks) for one backend. */
export function storeConformanceSuite(options: StoreConformanceOptions): void {
  const areas = checkOptions(options);
  const { name, open } = options;
  describe(`Store conformance: ${name}`, () => {
    let current: OpenedStore | undefined;
    const getStore = (): Store => {
      if (current === undefined) throw new Error('store not opened (beforeEach did not run)');
      return current.store;
    };

    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      const opened = current;
      current = undefined;
      await opened?.cleanup();
    });

    for (const area of CONFORMANCE_AREAS) if (areas.includes(area)) AREAS[area](getStore);
  });
}
