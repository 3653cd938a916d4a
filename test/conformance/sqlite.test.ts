import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForeignDatabaseError, SchemaTooNewError, StoreOpenError } from '../../src/errors/store-errors.js';
import { openStore, parseStoreUrl } from '../../src/store/open-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { T0, WF } from '../../src/testing/store-conformance/helpers.js';
import { makeTempDir, openTempSqlite } from './sqlite-temp.js';
import { storeConformanceSuite } from '../../src/exports/testing-conformance.js';

storeConformanceSuite({ name: 'sqlite', open: openTempSqlite });

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sideFiles = (path: string) => ['-wal', '-shm', '-journal'].filter((s) => existsSync(path + s));

describe('SQLite store specifics', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => {};
  beforeEach(async () => {
    ({ dir, remove } = await makeTempDir());
  });
  afterEach(async () => {
    await remove();
  });

  it('upgrades a version-1 database in place: its runs get a count of 0 claims without progress', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    db.exec('CREATE TABLE lifeline_schema (version INTEGER NOT NULL, applied_at INTEGER NOT NULL, name TEXT)');
    db.exec(MIGRATIONS[0]!.sql);
    db.prepare('INSERT INTO lifeline_schema VALUES (1, ?, ?)').run(T0, 'initial schema');
    db.prepare(`INSERT INTO runs (id, workflow, status, input, created_at, updated_at, claim_count) VALUES ('old', ?, 'pending', '{}', ?, ?, 3)`).run(
      WF,
      T0,
      T0,
    );
    db.close();
    const store = await openSqliteStore(path);
    try {
      expect(await store.getRun('old')).toMatchObject({ status: 'pending', claimCount: 3, claimsWithoutProgress: 0 });
      expect(
        (await store.claimRuns({ workerId: 'w', host: 'h', pid: 1, now: T0, leaseMs: 1000, limit: 1, workflows: [WF], maxClaimsWithoutProgress: 1 }))[0],
      ).toMatchObject({ status: 'running', claimsWithoutProgress: 1 });
    } finally {
      await store.close();
    }
  });

  it('migrates a new file once, in WAL mode; reopening does not migrate again', async () => {
    const path = join(dir, 'a.db');
    const store = await openSqliteStore(path);
    expect(store.backend).toBe('sqlite');
    expect(store.path).toBe(path);
    await store.createRun({ id: 'r1', workflow: WF, input: '{}', now: T0 });
    await store.close();
    await (await openSqliteStore(path)).close();

    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT version, name FROM lifeline_schema').all()).toEqual([
        { version: 1, name: 'initial schema' },
        { version: 2, name: 'poison runs: claims without progress' },
        { version: 3, name: 'lease renewal time' },
        { version: 4, name: 'fallback alternatives on attempts' },
        { version: 5, name: 'shared circuit breakers' },
        { version: 6, name: 'limits: concurrency slots, rate buckets and retry budgets per key' },
        { version: 7, name: 'recovery decisions' },
        { version: 8, name: 'cost ledger' },
        { version: 9, name: 'attempt details for insight' },
        { version: 10, name: 'insight rollups' },
      ]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT id FROM runs').all()).toEqual([{ id: 'r1' }]);
    } finally {
      db.close();
    }
  });

  it('refuses a schema from a newer Lifeline without touching the file', async () => {
    const path = join(dir, 'new.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE lifeline_schema (version INTEGER NOT NULL, applied_at INTEGER NOT NULL, name TEXT)');
    raw.prepare('INSERT INTO lifeline_schema VALUES (?, ?, ?)').run(999, T0, 'from the future');
    raw.close();
    const before = sha256(path);

    const error = await openSqliteStore(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as Error).message).toBe(
      `Database ${path} has schema version 999, but this Lifeline knows versions up to 10. ` + 'Upgrade Lifeline to open it; the database was not modified.',
    );
    expect(sha256(path)).toBe(before);
    expect(sideFiles(path)).toEqual([]);
  });

  it.each([
    ['random text', () => Buffer.from('this is not a database\n'.repeat(300))],
    ['a SQLite header over garbage', () => Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)])],
  ])('refuses %s with StoreOpenError and leaves the file as it was', async (_what, content) => {
    const path = join(dir, 'x.db');
    writeFileSync(path, content());
    const before = sha256(path);
    const error = await openSqliteStore(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('not a SQLite database or corrupted');
    expect(sha256(path)).toBe(before);
    expect(sideFiles(path)).toEqual([]);
  });

  it.each([
    ['its own tables', ['CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)', 'CREATE TABLE orders (id INTEGER PRIMARY KEY)'], '"orders", "users"'],
    ['its own runs table', ['CREATE TABLE runs (id INTEGER PRIMARY KEY, who TEXT)'], '"runs"'],
  ])("refuses another application's database with %s and leaves it untouched", async (_what, ddl, shown) => {
    const path = join(dir, 'app.db');
    const app = new Database(path);
    for (const statement of ddl) app.exec(statement);
    app.close();
    const before = sha256(path);
    const error = await openSqliteStore(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ForeignDatabaseError);
    const tables = ddl.length === 1 ? 'the table' : 'the tables';
    expect((error as Error).message).toBe(
      `Database ${path} is not a Lifeline database: it holds ${tables} ${shown} and no lifeline_schema table. ` +
        'It was left untouched; point --db (or LIFELINE_DB) at a new file or an empty schema.',
    );
    expect(sha256(path)).toBe(before);
    expect(sideFiles(path)).toEqual([]);
    const check = new Database(path, { readonly: true });
    try {
      expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    } finally {
      check.close();
    }
  });

  it('adopts an existing empty SQLite file', async () => {
    const path = join(dir, 'empty.db');
    new Database(path).close();
    const store = await openSqliteStore(path);
    await store.createRun({ id: 'r1', workflow: WF, input: '{}', now: T0 });
    await store.close();
  });

  it('names a missing directory', async () => {
    const path = join(dir, 'missing', 'sub', 'a.db');
    const error = await openSqliteStore(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/directory .*missing.* does not exist/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('an awaited durable write is on disk for another connection; close() flushes queued ones', async () => {
    const path = join(dir, 'd.db');
    const store = await openSqliteStore(path);
    await store.createRun({ id: 'awaited', workflow: WF, input: '{}', now: T0 });
    const other = new Database(path, { readonly: true });
    try {
      expect(other.prepare('SELECT id FROM runs').all()).toEqual([{ id: 'awaited' }]);
      const queued = store.createRun({ id: 'queued', workflow: WF, input: '{}', now: T0 + 1 });
      await store.close();
      await queued;
      expect(other.prepare('SELECT id FROM runs ORDER BY id').all()).toEqual([{ id: 'awaited' }, { id: 'queued' }]);
    } finally {
      other.close();
    }
    await expect(store.createRun({ id: 'late', workflow: WF, input: '{}', now: T0 })).rejects.toThrow(/closed/);
  });
});

describe('openStore URLs', () => {
  it('accepts sqlite:path, sqlite://path and bare paths', async () => {
    expect(parseStoreUrl('sqlite:data/x.db')).toEqual({ backend: 'sqlite', path: 'data/x.db' });
    expect(parseStoreUrl('sqlite://data/x.db')).toEqual({ backend: 'sqlite', path: 'data/x.db' });
    expect(parseStoreUrl('sqlite:///abs/x.db')).toEqual({ backend: 'sqlite', path: '/abs/x.db' });
    expect(parseStoreUrl('./x.db')).toEqual({ backend: 'sqlite', path: './x.db' });
    expect(parseStoreUrl('C:\\data\\x.db')).toEqual({ backend: 'sqlite', path: 'C:\\data\\x.db' });
    const { dir, remove } = await makeTempDir();
    try {
      const store = await openStore(`sqlite://${join(dir, 'u.db')}`);
      expect(store.backend).toBe('sqlite');
      await store.close();
    } finally {
      await remove();
    }
  });

  it('routes postgres:// and postgresql:// URLs to the PostgreSQL backend', () => {
    // What that backend does with them (and that it never echoes the password) is its own test.
    for (const url of ['postgres://app:s3cr3t-pw@db.local/life', 'postgresql://app:s3cr3t-pw@db.local/life']) {
      expect(parseStoreUrl(url)).toMatchObject({ backend: 'postgres' });
    }
  });

  it('names an unknown scheme and the accepted forms, without the rest of the URL', async () => {
    const error = await openStore('mysql://root:hunter2@host/db').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'INVALID_STORE_URL' });
    expect((error as Error).message).toContain('"mysql:"');
    expect((error as Error).message).toContain('sqlite:<path>');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
