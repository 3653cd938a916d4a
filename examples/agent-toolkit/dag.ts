// A DAG of research steps: independent nodes run side by side, a failure skips what needs it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifiedError, defineWorkflow, Lifeline, runDag } from '../../src/index.js';

const research = defineWorkflow('research', (ctx) =>
  runDag(ctx, {
    maxConcurrency: 2,
    nodes: {
      web: { run: () => ['page 1', 'page 2'] },
      papers: {
        run: () => {
          throw new ClassifiedError('the index is down', { errorClass: 'validation' });
        },
      },
      citations: { needs: ['papers'], run: ({ papers }) => (papers as string[]).length },
      summary: { needs: ['web'], run: ({ web }) => `${(web as string[]).length} pages read` },
    },
  }),
);

const lifeline = await Lifeline.open({ db: join(mkdtempSync(join(tmpdir(), 'dag-')), 'dag.db'), workflows: [research] });
lifeline.worker().start();
const { results, failed, skipped } = await (await lifeline.start(research, null)).result();
console.log(JSON.stringify(results));
console.log(Object.keys(failed).join(','), '|', skipped.citations);
await lifeline.close();
