// The options of the two backends' open functions, as plain types: the public declarations
// (openStore, Lifeline) reach them without importing the better-sqlite3 or pg type packages,
// which consumers of the package do not have installed.

export interface SqliteOpenOptions {
  /**
   * FULL (default): in WAL mode every commit fsyncs the WAL, so a resolved durable write
   * survives power loss. NORMAL fsyncs only at checkpoints: a commit survives a process crash
   * but the last commits may be lost on power loss or an OS crash.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
  /**
   * Open for reading only (`lifeline runs`, `show`): a missing file is an error, never created;
   * nothing is migrated or written, so a file the user can read but not write is fine.
   */
  readOnly?: boolean;
}

export interface PostgresOpenOptions {
  /** Schema holding Lifeline's tables (created if missing). Default `lifeline`, or `?schema=` in the URL. */
  schema?: string;
  /** Connections for durable writes and reads. PostgreSQL's group commit shares one WAL flush
   * among the commits of concurrent connections, so this bounds write concurrency. Default 16. */
  poolSize?: number;
  /** Connections for soft writes (synchronous_commit=off). Default 4. */
  softPoolSize?: number;
  /** How long to wait for a connection (or a free pooled one) before StoreUnavailableError. */
  connectTimeoutMs?: number;
  /** Open for reading only: the schema is never created or migrated, sessions are read-only. */
  readOnly?: boolean;
  /** Whose clock lease expiry is based on: 'database' (default: the server's, so hosts with
   * skewed clocks agree) or 'caller' (the `now` passed in; tests with a ManualClock). */
  leaseClock?: 'database' | 'caller';
}
