// Whose clock decides when a lease lapses on PostgreSQL. Hosts' clocks drift and can be set
// wrong; a worker whose clock runs ahead would take over live leases early. With 'database'
// (the default) every lease expiry is set and compared on the database server's clock, so all
// workers agree on it. 'caller' uses the `now` each call passes in: for tests that drive time
// with a ManualClock (the conformance suite), and for a single host whose clock is trusted.
// Other timestamps (created_at, wake_at of durable sleeps, attempt times) stay the caller's.
import { InvalidOptionsError } from '../../errors/options-error.js';

export type LeaseClock = 'database' | 'caller';

const CHOICES: readonly LeaseClock[] = ['database', 'caller'];

export function resolveLeaseClock(value: unknown): LeaseClock {
  if (value === undefined) return 'database';
  if (typeof value === 'string' && (CHOICES as readonly string[]).includes(value)) return value as LeaseClock;
  // Worded as every other option error (options/option-check.ts), which openStore runs first.
  throw new InvalidOptionsError(
    `Invalid option openStore.leaseClock: must be ${CHOICES.map((c) => `"${c}"`).join(' or ')} (got ${JSON.stringify(value) ?? typeof value})`,
  );
}

/** SQL for "now" in lease arithmetic (epoch ms): the server's clock, or the caller's `callerExpr`. */
export function leaseNowSql(clock: LeaseClock, callerExpr: string): string {
  return clock === 'database' ? `(extract(epoch from clock_timestamp()) * 1000)::bigint` : `${callerExpr}::bigint`;
}
