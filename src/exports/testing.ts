// `lifeline/testing`: what tests of workflows and of third-party stores use. The manual clock
// drives retries, timeouts, sleeps and leases without waiting.
export { ManualClock, flushAsync, type Clock, type TimerHandle } from '../time/clock.js';
