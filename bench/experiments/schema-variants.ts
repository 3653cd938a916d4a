// Experiment (not part of `npm run bench`): what one W1 step's commit costs with the current
// schema and with proposed variants, measured with the real SqliteStore code on databases
// created here. Commits alternate one by one between RAW and the variants so that the disk's
// drifting fsync latency hits all of them alike.
// With "blocked", each variant instead commits 100 steps back to back per turn (turns rotate
// between variants), which is what a single sequential run does; p50/p90 are then over the
// per-turn means.
//   node dist/bench/experiments/schema-variants.js [iterations] [blocked]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { round, tempDir } from '../common.js';
import { RawCommitter } from '../raw.js';
import { StepSqlCommitter } from '../step-sql.js';

const BASE = MIGRATIONS[0]?.sql ?? '';

function noAutoincrement(sql: string): string {
  return sql.replaceAll('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER PRIMARY KEY');
}

function withoutRowid(sql: string): string {
  return noAutoincrement(sql)
    .replace('  PRIMARY KEY (run_id, step_id)\n) STRICT;', '  PRIMARY KEY (run_id, step_id)\n) STRICT, WITHOUT ROWID;')
    .replace(/CREATE TABLE attempts \(\n  id INTEGER PRIMARY KEY,/, 'CREATE TABLE attempts (\n  id INTEGER,')
    .replace('  UNIQUE (run_id, step_id, attempt)\n) STRICT;', '  PRIMARY KEY (run_id, step_id, attempt)\n) STRICT, WITHOUT ROWID;');
}

interface Variant {
  name: string;
  schema: string;
  withEvent: boolean;
  withStartAttempt?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'V0 schema as in src/ now', schema: BASE, withEvent: true },
  { name: 'V1 V0 + no AUTOINCREMENT (if any left)', schema: noAutoincrement(BASE), withEvent: true },
  { name: 'V2 V1 + WITHOUT ROWID steps and attempts', schema: withoutRowid(BASE), withEvent: true },
  { name: 'V3 V2 + no step.completed event row', schema: withoutRowid(BASE), withEvent: false },
  { name: 'V4 current schema, no separate startAttempt', schema: BASE, withEvent: true, withStartAttempt: false },
  { name: 'V5 V3 + no separate startAttempt', schema: withoutRowid(BASE), withEvent: false, withStartAttempt: false },
];

async function openVariant(dir: string, v: Variant, i: number, synchronous: 'FULL' | 'NORMAL') {
  const path = join(dir, `v${i}.db`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.exec(v.schema);
  const committer = await StepSqlCommitter.open({ store: new SqliteStore(db, path, synchronous), withEvent: v.withEvent, withStartAttempt: v.withStartAttempt ?? true });
  return { db, path, committer };
}

/** WAL frames one step commit writes (autocheckpoint off for the count). */
function framesPerStep(db: Database.Database, path: string, committer: StepSqlCommitter): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('wal_autocheckpoint = 0');
  const before = statSync(`${path}-wal`).size;
  committer.steps(200);
  const after = statSync(`${path}-wal`).size;
  db.pragma('wal_autocheckpoint = 1000');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  return round((after - before) / (pageSize + 24) / 200, 2);
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))] ?? NaN;
}

async function measure(synchronous: 'FULL' | 'NORMAL', iterations: number, blocked: boolean) {
  const tmp = tempDir('variants');
  const raw = new RawCommitter(synchronous);
  const opened = [];
  for (const [i, v] of VARIANTS.entries()) opened.push(await openVariant(tmp.dir, v, i, synchronous));
  const frames = opened.map((o) => framesPerStep(o.db, o.path, o.committer));
  const lat: number[][] = [[], ...opened.map(() => [])];
  const block = blocked ? 100 : 1;
  for (let k = 0; k < iterations; k += block) {
    lat[0]?.push(raw.commits(block));
    opened.forEach((o, i) => lat[i + 1]?.push(o.committer.steps(block)));
  }
  raw.close();
  for (const o of opened) await o.committer.close();
  tmp.cleanup();
  const names = ['RAW single-row insert', ...VARIANTS.map((v) => v.name)];
  return names.map((name, i) => {
    const l = lat[i] ?? [];
    return {
      name,
      framesPerCommit: i === 0 ? 1 : frames[i - 1],
      p50: round(quantile(l, 0.5), 4),
      p90: round(quantile(l, 0.9), 4),
      mean: round(l.reduce((a, b) => a + b, 0) / l.length, 4),
    };
  });
}

const iterations = Number(process.argv[2] ?? 1500);
const blocked = process.argv[3] === 'blocked';
for (const sync of ['FULL', 'NORMAL'] as const) {
  process.stdout.write(`synchronous=${sync}, ${iterations} commits each, ${blocked ? 'in rotating blocks of 100' : 'interleaved one by one'}\n`);
  for (const r of await measure(sync, iterations, blocked)) {
    process.stdout.write(`  ${r.name.padEnd(44)} frames/commit ${String(r.framesPerCommit).padEnd(5)} p50 ${r.p50} ms  p90 ${r.p90} ms  mean ${r.mean} ms\n`);
  }
}
