// A runnable example: `npx lifeline run examples/hello/hello.ts --input '{"name":"Ada"}'`
// (after `npm run build`, or `node build/examples/hello/run-hello.js` for the API version).
import { defineWorkflow } from '../../src/index.js';

export const hello = defineWorkflow('hello', async (ctx, input: { name: string }) => {
  const greeting = await ctx.step('greet', () => `Hello, ${input.name}!`);
  const at = await ctx.now();
  const shout = await ctx.step(
    'shout',
    ({ attempt }) => {
      // Fails once with a network-like error: Lifeline classifies it as transient and retries.
      if (attempt === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return greeting.toUpperCase();
    },
    { retry: { initialDelayMs: 50 } },
  );
  return { greeting, shout, at: new Date(at).toISOString() };
});
