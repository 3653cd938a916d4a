// The backend-agnostic Store contract as a vitest suite. Every backend runs it with a factory
// that opens an empty store, e.g. describeStoreConformance('sqlite', openTempSqlite).
// The cases live in conformance-*.ts by area; they talk to the Store interface only.
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { claimsConformance } from './conformance-claims.js';
import { lifecycleConformance } from './conformance-lifecycle.js';
import { parkingConformance } from './conformance-parking.js';
import { runsConformance } from './conformance-runs.js';
import { signalsConformance } from './conformance-signals.js';
import { stepsConformance } from './conformance-steps.js';
import { fencedAttemptsConformance } from './conformance-attempts-fenced.js';

export function describeStoreConformance(
  name: string,
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`Store conformance: ${name}`, () => {
    let current: { store: Store; cleanup: () => Promise<void> } | undefined;
    const getStore = (): Store => {
      if (current === undefined) throw new Error('store not opened (beforeEach did not run)');
      return current.store;
    };

    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      const opened = current;
      current = undefined;
      await opened?.cleanup();
    });

    runsConformance(getStore);
    claimsConformance(getStore);
    stepsConformance(getStore);
    fencedAttemptsConformance(getStore);
    signalsConformance(getStore);
    lifecycleConformance(getStore);
    parkingConformance(getStore);
  });
}
