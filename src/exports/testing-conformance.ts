// `lifeline-workflows/testing/conformance`: the Store conformance suite. A backend registers it in
// a vitest file with a factory that opens an empty store. Needs vitest (an optional peer
// dependency); no other entry point loads it.
export {
  storeConformanceSuite,
  CONFORMANCE_AREAS,
  type StoreConformanceOptions,
  type OpenedStore,
  type ConformanceArea,
} from '../testing/store-conformance/suite.js';
