// Moved to src/store/rows.ts (shared by both backends). This re-export keeps parallel branches
// that still import it merging this round; delete it once they are merged.
export * from '../rows.js';
