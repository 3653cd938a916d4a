// Observability overhead on the step hot path, paired: W1's engine-only measurement (200
// sequential steps; the store's per-step writes are no-ops; synchronous=NORMAL) for two source
// trees in ONE process, rounds interleaved so load drift on a shared machine hits both alike:
//   base     the tree before observability (e.g. `git archive <base> src` unpacked somewhere)
//   off      this tree, no OpenTelemetry SDK registered, no logger (what every app pays)
//   logger   this tree with a pino logger writing to a stream that discards
//   otel     this tree with an SDK registered for the round (BasicTracerProvider, a span
//            processor that drops spans, the AsyncLocalStorage context manager)
// Prints µs per step (median over rounds) and the median per-round ratio to `base`.
//   npx tsx bench/observe-overhead.ts <base-src-dir> [rounds]
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { pino } from 'pino';

const [baseArg, roundsArg = '30'] = process.argv.slice(2);
if (baseArg === undefined) throw new Error('usage: observe-overhead.ts <base-src-dir> [rounds]');
const rounds = Number(roundsArg);
const STEPS = 200;
const dir = mkdtempSync(join(tmpdir(), 'observe-overhead-'));

interface Client {
  start(wf: unknown, input: unknown): Promise<{ result(): Promise<unknown> }>;
  worker(): { start(): void };
  close(): Promise<void>;
}

/** A Lifeline of the tree at `src` on its own engine-only store, with its worker started. */
async function open(src: string, name: string, extra: Record<string, unknown> = {}): Promise<{ lifeline: Client; wf: unknown; close(): Promise<void> }> {
  const load = async <T>(path: string) => (await import(pathToFileURL(join(resolve(src), path)).href)) as T;
  const { Lifeline } = await load<{ Lifeline: { open(o: object): Promise<Client> } }>('engine/lifeline.ts');
  const { openStore } = await load<{ openStore(p: string, o: object): Promise<object & { close(): Promise<void> }> }>('store/open-store.ts');
  const { defineWorkflow } = await load<{
    defineWorkflow(n: string, fn: (ctx: { step(name: string, fn: () => unknown): Promise<unknown> }, input: { steps: number }) => Promise<unknown>): unknown;
  }>('workflow/define.ts');
  const wf = defineWorkflow(`overhead-${name}`, async (ctx, input) => {
    for (let i = 0; i < input.steps; i++) await ctx.step(`s${i}`, () => ({ i, ok: true }));
    return input.steps;
  });
  const store = await openStore(join(dir, `${name}.db`), { synchronous: 'NORMAL' });
  const noop = () => Promise.resolve();
  const engineOnly = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'startAttempt' || key === 'commitStep' || key === 'endAttempt' || key === 'appendEvents') return noop;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const lifeline = await Lifeline.open({ db: engineOnly, workflows: [wf], ...extra });
  lifeline.worker().start();
  return {
    lifeline,
    wf,
    close: async () => {
      await lifeline.close();
      await store.close();
    },
  };
}

const provider = new BasicTracerProvider({
  spanProcessors: [{ onStart: () => {}, onEnd: () => {}, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() }],
});
const contextManager = new AsyncLocalStorageContextManager();

const modes = {
  base: await open(baseArg, 'base'),
  off: await open('src', 'off'),
  logger: await open('src', 'logger', { logger: pino(new Writable({ write: (_c, _e, done) => done() })) }),
  otel: await open('src', 'otel'),
};
type Mode = keyof typeof modes;
const samples: Record<Mode, number[]> = { base: [], off: [], logger: [], otel: [] };

for (let r = 0; r <= rounds; r++) {
  // The order rotates each round, so no mode always runs first (or right after another).
  const names = Object.keys(modes) as Mode[];
  for (const mode of names.map((_, i) => names[(i + r) % names.length] as Mode)) {
    if (mode === 'otel') {
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(contextManager.enable());
    }
    const { lifeline, wf } = modes[mode];
    const t0 = performance.now();
    await (await lifeline.start(wf, { steps: STEPS })).result();
    const us = ((performance.now() - t0) / STEPS) * 1000;
    if (mode === 'otel') {
      trace.disable();
      context.disable();
    }
    if (r > 0) samples[mode].push(us); // round 0 warms up
  }
}
for (const m of Object.values(modes)) await m.close();
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
for (const mode of Object.keys(modes) as Mode[]) {
  const ratio = median(samples[mode].map((us, i) => us / (samples.base[i] as number)));
  process.stdout.write(`${mode.padEnd(7)} ${median(samples[mode]).toFixed(1).padStart(7)} µs/step   ratio to base ${ratio.toFixed(3)}\n`);
}
