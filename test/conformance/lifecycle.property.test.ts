// Property: both stores follow the run lifecycle spec (src/store/lifecycle.ts) for random
// sequences of operations on a few runs; lifecycle-model.ts says what is checked after each one.
// SQLite: a real file per sequence. PostgreSQL: the harness server, one schema for the file,
// emptied between sequences. fast-check prints the seed and the shrunk sequence on failure;
// PROPERTY_SEED replays a seed, PROPERTY_RUNS runs more sequences.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { usePostgres } from '../pg/pg-fixture.js';
import { checkSequence, sequenceArb } from './lifecycle-model.js';
import { openTempSqlite } from './sqlite-temp.js';

const SEED = process.env.PROPERTY_SEED === undefined ? 0x5bec : Number(process.env.PROPERTY_SEED);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 80);

describe('run lifecycle conformance: SQLite', () => {
  it('every claim and status change follows the spec', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (ops) => {
        const { store, cleanup } = await openTempSqlite();
        try {
          await checkSequence(store, ops);
        } finally {
          await cleanup();
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('run lifecycle conformance: PostgreSQL', () => {
  const pg = usePostgres();
  it('every claim and status change follows the spec', async () => {
    // Lease expiry on the caller's clock, so the sequence's `now` decides it (as in the conformance suite).
    const { store, cleanup } = await pg.openFresh({ leaseClock: 'caller' });
    const tables = ['events', 'signals', 'attempts', 'step_results', 'runs', 'recoveries'].map((t) => `"${store.schema}".${t}`).join(', ');
    try {
      await fc.assert(
        fc.asyncProperty(sequenceArb, async (ops) => {
          await pg.withClient((c) => c.query(`TRUNCATE ${tables} RESTART IDENTITY`));
          await checkSequence(store, ops);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    } finally {
      await cleanup();
    }
  });
});
