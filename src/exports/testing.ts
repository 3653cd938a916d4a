// `lifeline-workflows/testing`: what tests of workflows and of third-party stores use. The manual clock
// drives retries, timeouts, sleeps and leases without waiting.
export { ManualClock, flushAsync, type Clock, type TimerHandle } from '../time/clock.js';
// The Store conformance suite: a backend registers it in a vitest file with a factory that opens
// an empty store. Needs vitest (an optional peer dependency); the root export never loads it.
export {
  storeConformanceSuite,
  CONFORMANCE_AREAS,
  type StoreConformanceOptions,
  type OpenedStore,
  type ConformanceArea,
} from '../testing/store-conformance/suite.js';
