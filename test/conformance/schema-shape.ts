// The shape of a migrated Lifeline schema, read from the database itself, in one form for both
// backends: tables, columns (name, a type family, nullability, default), primary keys, unique
// constraints and named indexes. Foreign keys are left out on purpose: the PostgreSQL schema has
// none (see its migration 1). One line per fact, so two shapes diff as two sorted sets.
import type Database from 'better-sqlite3';
import type pg from 'pg';

/** The type families both backends map to: integer widths and JSON-as-text do not count as drift. */
const FAMILIES: Record<string, string> = {
  integer: 'integer',
  int: 'integer',
  int4: 'integer',
  int8: 'integer',
  bigint: 'integer',
  smallint: 'integer',
  text: 'text',
  'character varying': 'text',
  varchar: 'text',
  json: 'text',
  jsonb: 'text',
  real: 'real',
  'double precision': 'real',
  blob: 'blob',
  bytea: 'blob',
  boolean: 'boolean',
};

export function typeFamily(type: string): string {
  return FAMILIES[type.toLowerCase()] ?? `unknown type ${type}`;
}

/** A default as both print it: `0`, `'x'`; PostgreSQL's casts (`'x'::text`) dropped. */
function normaliseDefault(value: string | null): string {
  return value === null ? 'no default' : `default ${value.replace(/::[a-z ]+$/i, '')}`;
}

const column = (table: string, name: string, type: string, nullable: boolean, dflt: string | null) =>
  `${table}.${name}: ${typeFamily(type)}, ${nullable ? 'null' : 'not null'}, ${normaliseDefault(dflt)}`;
const index = (table: string, name: string, columns: string[], unique: boolean, partial: boolean) =>
  `${table}: index ${name} (${columns.join(', ')})${unique ? ' unique' : ''}${partial ? ' partial' : ''}`;

export function sqliteShape(db: Database.Database): string[] {
  const lines: string[] = [];
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  for (const table of tables) {
    lines.push(`table ${table}`);
    const info = db.prepare(`SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info(?)`).all(table) as {
      name: string;
      type: string;
      not_null: number;
      dflt_value: string | null;
      pk: number;
    }[];
    // A primary key column is not null in both (STRICT tables and INTEGER PRIMARY KEY in SQLite).
    for (const c of info) lines.push(column(table, c.name, c.type, c.not_null === 0 && c.pk === 0, c.dflt_value));
    const pk = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    if (pk.length > 0) lines.push(`${table}: primary key (${pk.join(', ')})`);
    const indexes = db.prepare(`SELECT name, "unique" AS isUnique, origin, partial FROM pragma_index_list(?)`).all(table) as {
      name: string;
      isUnique: number;
      origin: string;
      partial: number;
    }[];
    for (const i of indexes) {
      const columns = db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).pluck().all(i.name) as string[];
      if (i.origin === 'u') lines.push(`${table}: unique (${columns.join(', ')})`);
      else if (i.origin === 'c') lines.push(index(table, i.name, columns, i.isUnique === 1, i.partial === 1));
    }
  }
  return lines.sort();
}

export async function postgresShape(client: pg.Client, schema: string): Promise<string[]> {
  const lines: string[] = [];
  const tables = (await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1`, [schema])).rows;
  for (const { name: table } of tables) lines.push(`table ${table}`);
  const columns = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = $1`,
    [schema],
  );
  for (const c of columns.rows) lines.push(column(c.table_name, c.column_name, c.data_type, c.is_nullable === 'YES', c.column_default));
  // Constraints and indexes with their columns in key order.
  const keyed = await client.query<{ table: string; name: string; kind: string; columns: string[]; is_unique: boolean; partial: boolean }>(
    `SELECT t.relname AS table, i.relname AS name, COALESCE(con.contype::text, 'i') AS kind,
            ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
            x.indisunique AS is_unique, x.indpred IS NOT NULL AS partial
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace ns ON ns.oid = t.relnamespace
       LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.contype IN ('p', 'u')
      WHERE ns.nspname = $1`,
    [schema],
  );
  for (const k of keyed.rows) {
    if (k.kind === 'p') lines.push(`${k.table}: primary key (${k.columns.join(', ')})`);
    else if (k.kind === 'u') lines.push(`${k.table}: unique (${k.columns.join(', ')})`);
    else lines.push(index(k.table, k.name, k.columns, k.is_unique, k.partial));
  }
  return lines.sort();
}

/** What one shape has and the other lacks, as readable lines (empty when they match). */
export function diffShapes(a: { name: string; lines: string[] }, b: { name: string; lines: string[] }): string[] {
  const only = (x: typeof a, y: typeof a) => x.lines.filter((l) => !y.lines.includes(l)).map((l) => `only in ${x.name}: ${l}`);
  return [...only(a, b), ...only(b, a)];
}
