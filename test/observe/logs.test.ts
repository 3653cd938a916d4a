// Structured logs through the `logger` option (a real pino logger writing JSON lines to a
// stream) of real runs on SQLite files: run start/completion/failure, step start, completion with
// duration and output size, and step errors with class, kind, redacted message, attempt and
// whether it will retry; a worker's own logger; the option checks; the pretty format.
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { defineWorkflow } from '../../src/workflow/define.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ClassifiedError } from '../../src/policy/index.js';
import { startEngine, type TestEngine } from '../helpers.js';
import { prettyLine } from '../../src/observe/pretty-log.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import type { LifelineLogger } from '../../src/observe/event-log.js';

const SECRET = 'l0gged-secret-never-4417';
const noWait = { initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' as const };

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

type Line = Record<string, unknown> & { event: string; msg: string; level: number };

/** A pino logger writing into an array of parsed lines (and the raw text, to search for secrets). */
function capture(): { logger: LifelineLogger; lines: Line[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    get lines() {
      return chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Line);
    },
    raw: () => chunks.join(''),
  };
}

let tries = 0;
const flaky = defineWorkflow('logs.flaky', async (ctx) => {
  const a = await ctx.step(
    'fetch',
    () => {
      tries++;
      if (tries === 1) throw new ClassifiedError(`upstream refused token=${SECRET} and ${SECRET}`, { errorClass: 'rate_limit', kind: 'requests' });
      return { text: 'héllo' };
    },
    { retry: { maxAttempts: 3, ...noWait } },
  );
  return ctx.step('shout', () => a.text.toUpperCase());
});

describe('structured logs', () => {
  it('logs run and step start, completion with duration and output size, and a retried error with its class, kind, redacted message and attempt', async () => {
    tries = 0;
    const log = capture();
    engine = await startEngine({ workflows: [flaky], logger: log.logger, secrets: [SECRET] });
    const handle = await engine.lifeline.start(flaky, undefined, { runId: 'log-1' });
    expect(await handle.result()).toBe('HÉLLO');

    const all = log.lines.filter((l) => l.runId === 'log-1');
    // A retried attempt's error line is written once its (soft) record landed: with no backoff,
    // possibly after the next attempt's start line. The other lines come in order.
    const retries = all.filter((l) => l.event === 'step.retrying');
    expect(retries.length).toBe(1);
    expect(all.indexOf(retries[0] as Line)).toBeGreaterThan(all.findIndex((l) => l.event === 'step.started'));
    const lines = all.filter((l) => l.event !== 'step.retrying');
    expect(lines.map((l) => l.event)).toEqual([
      'run.created',
      'run.claimed',
      'step.started',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'run.completed',
    ]);
    const [created, claimed, started, , fetched, , shouted, completed] = lines as Line[];
    const retrying = retries[0];
    expect(created).toMatchObject({ level: 30, workflow: 'logs.flaky', msg: 'run log-1 created (workflow logs.flaky)' });
    expect(claimed).toMatchObject({ level: 30, workflow: 'logs.flaky', claimCount: 1, msg: 'run log-1 started' });
    expect(started).toMatchObject({ level: 30, stepId: 'fetch#0', name: 'fetch', attempt: 1, msg: 'step fetch#0 attempt 1 started' });
    expect(retrying).toMatchObject({
      level: 40,
      stepId: 'fetch#0',
      attempt: 1,
      errorClass: 'rate_limit',
      errorKind: 'requests',
      willRetry: true,
      message: 'upstream refused token=[REDACTED] and [REDACTED]',
    });
    // Output sizes are the stored JSON's bytes (é is two).
    expect(fetched).toMatchObject({ stepId: 'fetch#0', attempt: 2, outputBytes: Buffer.byteLength('{"text":"héllo"}') });
    expect(shouted).toMatchObject({ stepId: 'shout#0', attempt: 1, outputBytes: Buffer.byteLength('"HÉLLO"') });
    for (const l of [fetched, shouted] as Line[]) {
      expect(typeof l['durationMs']).toBe('number');
      expect(l['durationMs']).toBeGreaterThanOrEqual(0);
      expect(l.msg).toMatch(/^step \w+#0 completed in \d+\.\d ms \(\d+ B\)$/);
    }
    expect(completed).toMatchObject({ level: 30, msg: 'run log-1 completed' });
    expect(log.raw()).not.toContain(SECRET);
    // No SDK registered in this file: no trace ids.
    expect(lines.some((l) => 'trace_id' in l)).toBe(false);
  });

  it('a final failure logs the step error (will not retry) and the run failure as errors', async () => {
    const log = capture();
    const broken = defineWorkflow('logs.broken', async (ctx) =>
      ctx.step('auth', () => {
        throw new ClassifiedError(`invalid credential ${SECRET}`, { errorClass: 'configuration' });
      }),
    );
    engine = await startEngine({ workflows: [broken], logger: log.logger, secrets: [SECRET] });
    const handle = await engine.lifeline.start(broken, undefined, { runId: 'log-2' });
    await expect(handle.result()).rejects.toThrow('configuration');
    const failed = log.lines.find((l) => l.event === 'step.failed');
    expect(failed).toMatchObject({
      level: 40,
      stepId: 'auth#0',
      attempt: 1,
      errorClass: 'configuration',
      willRetry: false,
      message: 'invalid credential [REDACTED]',
    });
    const runFailed = log.lines.find((l) => l.event === 'run.failed');
    expect(runFailed).toMatchObject({ level: 50, error: { errorClass: 'configuration' } });
    expect(runFailed?.msg).toBe(
      'run log-2 failed [configuration]: Step "auth#0" failed with configuration error after 1 attempt: invalid credential [REDACTED]',
    );
    expect(log.raw()).not.toContain(SECRET);
  });

  it("a worker's own logger gets its events; the client's logger keeps the client's", async () => {
    const client = capture();
    const own = capture();
    const quick = defineWorkflow('logs.quick', async (ctx) => ctx.step('one', () => 1));
    engine = await startEngine({ workflows: [quick], logger: client.logger, worker: { logger: own.logger } });
    await (await engine.lifeline.start(quick, undefined, { runId: 'log-3' })).result();
    expect(client.lines.filter((l) => l.runId === 'log-3').map((l) => l.event)).toEqual(['run.created']);
    expect(own.lines.filter((l) => l.runId === 'log-3').map((l) => l.event)).toEqual(['run.claimed', 'step.started', 'step.completed', 'run.completed']);
  });

  it('a logger option that is not pino-compatible fails with the field and what it needs', async () => {
    await expect(Lifeline.open({ db: ':memory:', logger: { info: () => {} } as never })).rejects.toThrow(
      new InvalidOptionsError('Invalid option Lifeline.open.logger: must be a pino-compatible logger (an object with info, warn, error, debug) (got object)'),
    );
    const lifeline = await Lifeline.open({ db: ':memory:' });
    try {
      expect(() => lifeline.worker({ logger: 5 as never })).toThrow(
        new InvalidOptionsError('Invalid option worker.logger: must be a pino-compatible logger (an object with info, warn, error, debug) (got number)'),
      );
    } finally {
      await lifeline.close();
    }
  });

  it('pretty lines: time, level, message and trace ids', () => {
    const line = JSON.stringify({ level: 40, time: '2026-11-30T04:00:00.000Z', msg: 'step a#0 attempt 1 failed', trace_id: 'abc', span_id: 'def' });
    expect(prettyLine(line)).toBe('2026-11-30T04:00:00.000Z WARN  step a#0 attempt 1 failed  trace=abc span=def');
    expect(prettyLine('not json')).toBe('not json');
  });
});
