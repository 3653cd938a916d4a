/** One numbered schema change. Migrations are append-only on every backend: a released one is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
