// Compensation (compensation-cases.ts) on a real SQLite file.
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { compensationCases } from './compensation-cases.js';

compensationCases('SQLite', {
  open: () => {
    const tmp = tempDir();
    return Promise.resolve({ db: join(tmp.dir, 'comp.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
  },
});
