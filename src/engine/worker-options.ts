import { InvalidOptionsError } from '../errors/options-error.js';

export interface WorkerOptions {
  /** Runs executed at once by this worker. Default 10. */
  concurrency?: number;
  /** Lease time-to-live; another worker takes a run over when its lease lapsed. Default 3000. */
  leaseMs?: number;
  /** How often leases are renewed; must be well under leaseMs. Default 1000. */
  heartbeatMs?: number;
  /** How often to look for runnable runs when idle. Default 200. */
  pollMs?: number;
  /** On stop(): how long running steps may finish before they are aborted. Default 10000. */
  shutdownGraceMs?: number;
  /** How often to look for runs owned by dead processes of this host. Default 1000. */
  deadOwnerCheckMs?: number;
  workerId?: string;
  /** Host identity recorded in leases (default: os.hostname()). */
  host?: string;
  /** Process id recorded in leases (default: process.pid). */
  pid?: number;
  /**
   * A run claimed this many times in a row without committing a step (a poison run: it crashes
   * its worker, or its commit fails the same way every time) is parked instead of claimed again;
   * `lifeline resume` continues it once the cause is fixed. Default 5.
   */
  maxClaimsWithoutProgress?: number;
}

export type ResolvedWorkerOptions = Required<Omit<WorkerOptions, 'workerId' | 'host'>> & Pick<WorkerOptions, 'workerId' | 'host'>;

const KNOWN = ['concurrency', 'leaseMs', 'heartbeatMs', 'pollMs', 'shutdownGraceMs', 'deadOwnerCheckMs', 'workerId', 'host', 'pid', 'maxClaimsWithoutProgress'];

export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new InvalidOptionsError(`Invalid option worker.${key}: unknown option (known: ${KNOWN.join(', ')})`);
  }
  const resolved: ResolvedWorkerOptions = {
    concurrency: intOption('concurrency', options.concurrency, 10, 1, 10_000),
    leaseMs: intOption('leaseMs', options.leaseMs, 3000, 100, 86_400_000),
    heartbeatMs: intOption('heartbeatMs', options.heartbeatMs, 1000, 10, 86_400_000),
    pollMs: intOption('pollMs', options.pollMs, 200, 1, 3_600_000),
    shutdownGraceMs: intOption('shutdownGraceMs', options.shutdownGraceMs, 10_000, 0, 3_600_000),
    deadOwnerCheckMs: intOption('deadOwnerCheckMs', options.deadOwnerCheckMs, 1000, 0, 3_600_000),
    pid: intOption('pid', options.pid, process.pid, 1, 2 ** 31),
    maxClaimsWithoutProgress: intOption('maxClaimsWithoutProgress', options.maxClaimsWithoutProgress, 5, 1, 1000),
    workerId: options.workerId,
    host: options.host,
  };
  if (resolved.heartbeatMs * 2 > resolved.leaseMs) {
    throw new InvalidOptionsError(
      `Invalid option worker.heartbeatMs: must be at most half of worker.leaseMs so a lease survives one missed beat (got ${resolved.heartbeatMs} with leaseMs ${resolved.leaseMs})`,
    );
  }
  return resolved;
}

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(`Invalid option worker.${name}: must be an integer from ${min} to ${max} (got ${JSON.stringify(value) ?? typeof value})`);
  }
  return value;
}
