// Options of the PostgreSQL store. No driver types here: the published declarations of the
// open functions must not need pg's types.
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
