/**
 * One numbered schema change. Migrations are append-only on every backend: a released one is never edited.
 * `backfill` (backend-specific) runs right after `sql`, in the same transaction: data a new
 * column needs that SQL alone cannot compute (e.g. fingerprints of existing failed attempts).
 */
export interface Migration<Backfill = never> {
  version: number;
  name: string;
  sql: string;
  backfill?: Backfill;
}
