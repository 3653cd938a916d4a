// The store-fault cases (store-fault-cases.ts) on the PostgreSQL server the harness starts.
// Triggers make the real server refuse (check_violation, class 23) or fail (raise_exception,
// P0001: no known kind) the insert of one step's result.
import { usePostgres } from '../pg/pg-fixture.js';
import { storeFaultCases } from './store-fault-cases.js';

const pg = usePostgres();
let schema = '';

async function failStep(step: string, code: string, message: string): Promise<void> {
  const fn = `"${schema}".lifeline_test_fail_${step}`;
  await pg.withClient(async (c) => {
    await c.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.name = '${step}' THEN RAISE EXCEPTION USING ERRCODE = '${code}', MESSAGE = '${message}'; END IF;
        RETURN NEW;
      END $$`);
    await c.query(`CREATE TRIGGER lifeline_test_${step} BEFORE INSERT ON "${schema}".step_results FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
  });
}

storeFaultCases('postgres', {
  async open() {
    schema = pg.freshSchema();
    return pg.openFresh({ schema });
  },
  refuseStep: (step, message) => failStep(step, '23514', message),
  breakStep: (step) => failStep(step, 'P0001', 'broken by the test trigger'),
  async repairStep(step) {
    await pg.withClient((c) => c.query(`DROP TRIGGER lifeline_test_${step} ON "${schema}".step_results`));
  },
});
