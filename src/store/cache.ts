// The step cache across runs (issue 12 §1): one row per cache key, holding either a stored
// result (with its expiry and the run that computed it) or a computing lease, or both (a lease
// taken on an expired entry). Both backends read the row under their write lock (SQLite's write
// transaction, PostgreSQL's FOR UPDATE) and apply decideCacheClaim: one decision, one behaviour.

/** A stored cache entry (listCacheEntries). */
export interface CacheEntryRecord {
  /** SHA-256 (hex) of the canonical JSON of workflow, step name, version and key. */
  key: string;
  workflow: string;
  stepName: string;
  /** The step's cache version as given (String(version)), or null. */
  version: string | null;
  /** The stored result (JSON text), null while only a lease exists. */
  output: string | null;
  /** The run whose step computed `output`. */
  sourceRunId: string | null;
  createdAt: number | null;
  expiresAt: number | null;
  /** Who is computing the key now (`<runId>:<stepId>`), and until when its lease holds. */
  leaseHolder: string | null;
  leaseExpiresAt: number | null;
}

export interface ClaimCacheArgs {
  key: string;
  workflow: string;
  stepName: string;
  version: string | null;
  /** The computing lease's owner: `<runId>:<stepId>` (the same step of the same run renews its own lease). */
  holder: string;
  now: number;
  /** How long the lease holds when taken or renewed. */
  leaseMs: number;
}

/**
 * - hit: an unexpired result exists; the step returns it without running.
 * - compute: the caller holds the key's lease until `leaseExpiresAt` and runs the body.
 * - wait: another holder's unexpired lease: the caller waits (the step is deferred).
 */
export type CacheClaim =
  | { kind: 'hit'; output: string; sourceRunId: string; createdAt: number; expiresAt: number }
  | { kind: 'compute'; leaseExpiresAt: number }
  | { kind: 'wait'; holder: string; leaseExpiresAt: number };

export interface SettleCacheArgs {
  key: string;
  holder: string;
  now: number;
  /**
   * The computed result: stored with its expiry unless an unexpired one is there already (the
   * first result wins; a late computer whose lease had expired does not replace it). Without it,
   * the holder's lease is given up (the computation failed or was abandoned: failures are not cached).
   */
  value?: { output: string; sourceRunId: string; expiresAt: number };
}

export interface CacheFilter {
  workflow?: string;
  stepName?: string;
}

/** The row as the decision needs it. */
export type CacheRowState = Pick<CacheEntryRecord, 'output' | 'sourceRunId' | 'createdAt' | 'expiresAt' | 'leaseHolder' | 'leaseExpiresAt'>;

/** What a claim does: the answer, and the lease to write when the caller takes or renews it. */
export function decideCacheClaim(row: CacheRowState | null, args: Pick<ClaimCacheArgs, 'holder' | 'now' | 'leaseMs'>): { claim: CacheClaim; lease: boolean } {
  const { now } = args;
  if (row !== null && row.output !== null && row.expiresAt !== null && row.expiresAt > now) {
    return {
      claim: { kind: 'hit', output: row.output, sourceRunId: row.sourceRunId ?? '', createdAt: row.createdAt ?? 0, expiresAt: row.expiresAt },
      lease: false,
    };
  }
  const held = row !== null && row.leaseHolder !== null && row.leaseExpiresAt !== null && row.leaseExpiresAt > now;
  if (held && row.leaseHolder !== args.holder) {
    return { claim: { kind: 'wait', holder: row.leaseHolder as string, leaseExpiresAt: row.leaseExpiresAt as number }, lease: false };
  }
  return { claim: { kind: 'compute', leaseExpiresAt: now + args.leaseMs }, lease: true };
}

/** Whether a settle with a value stores it over what the row holds: not over an unexpired result. */
export function settleStoresValue(row: Pick<CacheRowState, 'output' | 'expiresAt'> | null, now: number): boolean {
  return row === null || row.output === null || row.expiresAt === null || row.expiresAt <= now;
}

/** The cache_entries row as both backends read it (PostgreSQL returns BIGINT as text). */
export interface CacheRow {
  key: string;
  workflow: string;
  step_name: string;
  version: string | null;
  output: string | null;
  source_run_id: string | null;
  created_at: number | string | null;
  expires_at: number | string | null;
  lease_holder: string | null;
  lease_expires_at: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toCacheEntry(row: CacheRow): CacheEntryRecord {
  return {
    key: row.key,
    workflow: row.workflow,
    stepName: row.step_name,
    version: row.version,
    output: row.output,
    sourceRunId: row.source_run_id,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    leaseHolder: row.lease_holder,
    leaseExpiresAt: num(row.lease_expires_at),
  };
}
