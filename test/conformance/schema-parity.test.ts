import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { makeTempDir } from './sqlite-temp.js';
import { diffShapes, postgresShape, sqliteShape } from './schema-shape.js';

// The two backends' migrations must build the same schema: same tables, columns (a type family,
// nullability, default), primary keys, unique constraints and named indexes. A column, index or
// table added to one backend's migrations and not the other's fails here with the difference.
const pg = usePostgres();

/** Migrates a fresh SQLite file (through the store, as an app does) and returns its shape, after `plant`. */
async function sqlite(plant?: string): Promise<{ name: string; lines: string[] }> {
  const { dir, remove } = await makeTempDir();
  try {
    const path = join(dir, 'parity.db');
    await (await openSqliteStore(path)).close();
    const db = new Database(path);
    try {
      if (plant !== undefined) db.exec(plant);
      return { name: 'sqlite', lines: sqliteShape(db) };
    } finally {
      db.close();
    }
  } finally {
    await remove();
  }
}

async function postgres(plant?: string): Promise<{ name: string; lines: string[] }> {
  const { store, cleanup } = await pg.openFresh();
  try {
    return {
      name: 'postgres',
      lines: await pg.withClient(async (c) => {
        if (plant !== undefined) await c.query(plant.replaceAll('$S', `"${store.schema}"`));
        return postgresShape(c, store.schema);
      }),
    };
  } finally {
    await cleanup();
  }
}

describe('schema parity between the SQLite and PostgreSQL migrations', () => {
  it('both backends migrate to the same tables, columns, keys and indexes', async () => {
    const [a, b] = [await sqlite(), await postgres()];
    expect(diffShapes(a, b)).toEqual([]);
    // The shape is read, not empty: every table and a sample of each kind of fact is there.
    for (const line of [
      'table runs',
      'table step_results',
      'table attempts',
      'table signals',
      'table events',
      'table lifeline_schema',
      'runs.claims_without_progress: integer, not null, default 0',
      'runs.lease_renewed_at: integer, null, no default',
      'step_results: primary key (run_id, step_id)',
      'attempts: unique (run_id, step_id, attempt)',
      'runs: index runs_lease_host (lease_host) partial',
      'events: index events_run (run_id, id)',
    ])
      expect(a.lines).toContain(line);
  });

  it('reports a column that only one backend has', async () => {
    const planted = await sqlite('ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 5');
    expect(diffShapes(planted, await postgres())).toEqual(['only in sqlite: runs.priority: integer, not null, default 5']);
  });

  it('reports an index, a nullability and a type family that differ', async () => {
    const planted = await postgres(
      'CREATE INDEX runs_workflow ON $S.runs (workflow); ALTER TABLE $S.events ALTER COLUMN data DROP NOT NULL; ' +
        'ALTER TABLE $S.attempts ALTER COLUMN duration_ms TYPE double precision',
    );
    expect(diffShapes(await sqlite(), planted)).toEqual([
      'only in sqlite: attempts.duration_ms: integer, null, no default',
      'only in sqlite: events.data: text, not null, no default',
      'only in postgres: attempts.duration_ms: real, null, no default',
      'only in postgres: events.data: text, null, no default',
      'only in postgres: runs: index runs_workflow (workflow)',
    ]);
  });
});
