import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The two backends keep the same file names for the same roles; a file without a twin is one
// the other backend has no such part for, listed (with the reason) in
// docs/decisions/2026-11-29-layers.md, "The two backends' files, mirrored".
const store = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'store');
const files = (backend: string) =>
  readdirSync(join(store, backend))
    .filter((f) => f.endsWith('.ts'))
    .sort();

const WITHOUT_TWIN = {
  sqlite: ['signal-ops.ts', 'sqlite-store.ts'],
  postgres: ['attempt-details.ts', 'attempt-starts.ts', 'commit-batch.ts', 'commit-one.ts', 'exec.ts', 'lease-clock.ts', 'notify.ts', 'postgres-store.ts'],
};

describe('the SQLite and PostgreSQL stores mirror each other', () => {
  it('every file has its twin in the other backend, except the ones recorded as without one', () => {
    const sqlite = files('sqlite');
    const postgres = files('postgres');
    expect(sqlite.filter((f) => !postgres.includes(f))).toEqual(WITHOUT_TWIN.sqlite);
    expect(postgres.filter((f) => !sqlite.includes(f))).toEqual(WITHOUT_TWIN.postgres);
  });
});
