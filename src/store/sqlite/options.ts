// Options of the SQLite store. No driver types here: the published declarations of the
// open functions must not need better-sqlite3's types.
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
