// The same workflow driven from the API: open, start a worker, start a run, await its result.
import { Lifeline } from '../../src/index.js';
import { hello } from './hello.js';

const lifeline = await Lifeline.open({ db: process.env.LIFELINE_DB ?? './lifeline.db' });
lifeline.worker().start();
const run = await lifeline.start(hello, { name: 'Ada' });
console.log(run.runId, await run.result());
await lifeline.close();
