// Preloaded into worker processes by pg-w2-batching.ts (NODE_OPTIONS=--import=<this file>): sets
// the PostgreSQL store's batching depth from LIFELINE_BENCH_BATCH_IN_FLIGHT before any store is
// opened (the batchers copy BATCHING when they are constructed). src/ is not modified.
import { BATCHING } from '../../src/store/postgres/batcher.js';

const inFlight = Number(process.env['LIFELINE_BENCH_BATCH_IN_FLIGHT']);
if (Number.isInteger(inFlight) && inFlight > 0) (BATCHING as { maxInFlight: number }).maxInFlight = inFlight;
