// `lifeline-workflows/testing`: what tests of workflows use. The manual clock drives retries,
// timeouts, sleeps and leases without waiting. Loads no test framework: the Store conformance
// suite, which needs vitest, is its own entry point (`lifeline-workflows/testing/conformance`).
export { ManualClock, flushAsync, type Clock, type TimerHandle } from '../time/clock.js';
