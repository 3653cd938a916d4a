import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineWorkflow, Lifeline } from '../../src/index.js';

const trip = defineWorkflow('example.trip', async (ctx, city: string) => {
  const flight = await ctx.step('book-flight', () => `flight to ${city}`, {
    compensate: (booking) => console.log(`cancelled the ${booking}`), // undoes this step
  });
  const hotel = await ctx.step('book-hotel', () => `hotel in ${city}`, {
    compensate: (booking) => console.log(`cancelled the ${booking}`),
  });
  await ctx.step(
    'charge-card',
    () => {
      throw new Error('card declined');
    },
    { retry: { maxAttempts: 1 } },
  );
  return { flight, hotel };
});

const db = join(mkdtempSync(join(tmpdir(), 'lifeline-example-')), 'example.db');
const lifeline = await Lifeline.open({ db, workflows: [trip] });
lifeline.worker().start();
const run = await lifeline.start(trip, 'Lisbon', { runId: 'trip-1' });
await run.result().catch((error: Error) => console.log(error.message));
const { status, compensation } = await lifeline.getRun('trip-1').then((r) => r!);
console.log(`${status}, compensation ${compensation}`);
await lifeline.close();
