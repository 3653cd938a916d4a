// Spans of real runs on SQLite files, exported by the OpenTelemetry SDK's in-memory exporter:
// run, step and attempt spans with their attributes; a failed attempt's redacted message; the
// step function running in its attempt's context (a user's span nests under it); a run started
// inside a caller's span joins that trace; a child run executed by a second Lifeline on the same
// file continues the parent's trace through the traceparent stored with it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { context, trace } from '@opentelemetry/api';
import { defineWorkflow } from '../../src/workflow/define.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ClassifiedError } from '../../src/policy/index.js';
import { registerSecret } from '../../src/errors/secrets.js';
import { startEngine, tempDir, type TestEngine } from '../helpers.js';
import { ERROR, parentOf, registerOtel, type OtelKit } from './otel-kit.js';

const SECRET = 'tr4ce-secret-value-9931';
const noWait = { initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' as const };

let otel: OtelKit;
let engine: TestEngine | undefined;
beforeAll(() => {
  otel = registerOtel();
  registerSecret(SECRET, 'tracing test');
});
afterAll(async () => {
  await otel.shutdown();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  otel.exporter.reset();
});

let tries = 0;
const flaky = defineWorkflow('trace.flaky', async (ctx, input: { n: number }) => {
  const fetched = await ctx.step(
    'fetch',
    () => {
      tries++;
      // The user's own instrumented call: started in the active context, it must nest under the attempt.
      trace.getTracer('app').startActiveSpan('user.http', (span) => span.end());
      if (tries === 1) throw new ClassifiedError(`upstream said no (password ${SECRET})`, { errorClass: 'transient' });
      return { n: input.n + 1 };
    },
    { retry: { maxAttempts: 3, ...noWait } },
  );
  return ctx.step('save', () => fetched.n * 2);
});

describe('OpenTelemetry spans', () => {
  it('a run span, a span per step and per attempt, with attributes; the failed attempt is an error with the redacted message; user spans nest under the attempt', async () => {
    tries = 0;
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(
            ...chunk
              .toString()
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as Record<string, unknown>),
          );
          done();
        },
      }),
    );
    engine = await startEngine({ workflows: [flaky], logger });
    const handle = await engine.lifeline.start(flaky, { n: 1 }, { runId: 'tr-1' });
    expect(await handle.result()).toBe(4);
    await otel.ended('run trace.flaky');

    const run = otel.one('run trace.flaky');
    expect(run.attributes).toMatchObject({ 'lifeline.run_id': 'tr-1', 'lifeline.workflow': 'trace.flaky', 'lifeline.outcome': 'completed' });
    // The run's segments hang under the span of its start (a root here: no caller span).
    const start = otel.one('start trace.flaky');
    expect(parentOf(start)).toBeUndefined();
    expect(parentOf(run)).toBe(start.spanContext().spanId);
    const step = otel.one('step fetch');
    expect(parentOf(step)).toBe(run.spanContext().spanId);
    expect(step.attributes).toMatchObject({ 'lifeline.step_id': 'fetch#0', 'lifeline.run_id': 'tr-1', 'lifeline.outcome': 'completed' });

    const first = otel.one('attempt fetch', (s) => s.attributes['lifeline.attempt'] === 1);
    const second = otel.one('attempt fetch', (s) => s.attributes['lifeline.attempt'] === 2);
    for (const a of [first, second]) expect(parentOf(a)).toBe(step.spanContext().spanId);
    expect(first.attributes).toMatchObject({ 'lifeline.error_class': 'transient', 'lifeline.will_retry': true, 'lifeline.outcome': 'failed' });
    expect(first.status).toEqual({ code: ERROR, message: 'upstream said no (password [REDACTED])' });
    expect(first.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([['exception', 'upstream said no (password [REDACTED])']]);
    expect(second.attributes['lifeline.outcome']).toBe('succeeded');
    expect(second.status.code).not.toBe(ERROR);

    // Nothing exported carries the secret.
    expect(JSON.stringify(otel.spans().map((s) => [s.attributes, s.status, s.events]))).not.toContain(SECRET);

    const users = otel.spans().filter((s) => s.name === 'user.http');
    expect(users.map(parentOf).sort()).toEqual([first.spanContext().spanId, second.spanContext().spanId].sort());
    const save = otel.one('step save');
    expect(parentOf(otel.one('attempt save'))).toBe(save.spanContext().spanId);
    // One trace for all of it.
    const traceId = run.spanContext().traceId;
    expect(new Set(otel.spans().map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));

    // Log lines carry the ids of the span they were made under.
    const ids = (event: string, attempt?: number) =>
      lines
        .filter((l) => l['event'] === event && (attempt === undefined || (l['attempt'] === attempt && l['stepId'] === 'fetch#0')) && l['runId'] === 'tr-1')
        .map((l) => [l['trace_id'], l['span_id']]);
    expect(ids('run.claimed')).toEqual([[traceId, run.spanContext().spanId]]);
    expect(ids('step.started', 1)).toEqual([[traceId, first.spanContext().spanId]]);
    expect(ids('step.retrying', 1)).toEqual([[traceId, first.spanContext().spanId]]);
    expect(ids('step.started', 2)).toEqual([[traceId, second.spanContext().spanId]]);
    expect(ids('run.completed')).toEqual([[traceId, run.spanContext().spanId]]);
  });

  it('a step that fails for good: step and run spans are errors with the error class and the redacted message', async () => {
    const broken = defineWorkflow('trace.broken', async (ctx) =>
      ctx.step('call', () => {
        throw new ClassifiedError(`bad key ${SECRET}`, { errorClass: 'configuration' });
      }),
    );
    engine = await startEngine({ workflows: [broken] });
    const handle = await engine.lifeline.start(broken, undefined, { runId: 'tr-2' });
    await expect(handle.result()).rejects.toThrow('failed with configuration error');
    await otel.ended('run trace.broken');
    const attempt = otel.one('attempt call');
    expect(attempt.attributes).toMatchObject({ 'lifeline.error_class': 'configuration', 'lifeline.will_retry': false, 'lifeline.attempt': 1 });
    const step = otel.one('step call');
    expect(step.status).toEqual({ code: ERROR, message: 'Step "call#0" failed with configuration error after 1 attempt: bad key [REDACTED]' });
    expect(step.attributes['lifeline.error_class']).toBe('configuration');
    const run = otel.one('run trace.broken');
    expect(run.attributes).toMatchObject({ 'lifeline.outcome': 'failed', 'lifeline.error_class': 'configuration' });
    expect(run.status.code).toBe(ERROR);
    expect(run.status.message).toContain('bad key [REDACTED]');
    expect(run.status.message).not.toContain(SECRET);
  });

  it('a run started inside a caller span joins its trace (the traceparent is stored with the run)', async () => {
    const quick = defineWorkflow('trace.quick', async (ctx) => ctx.step('one', () => 1));
    engine = await startEngine({ workflows: [quick] });
    const lifeline = engine.lifeline;
    const request = trace.getTracer('app').startSpan('POST /jobs');
    const handle = await context.with(trace.setSpan(context.active(), request), () => lifeline.start(quick, undefined, { runId: 'tr-3' }));
    request.end();
    await handle.result();
    await otel.ended('run trace.quick');
    const start = otel.one('start trace.quick');
    expect(parentOf(start)).toBe(request.spanContext().spanId);
    expect(start.attributes['lifeline.run_id']).toBe('tr-3');
    const stored = await lifeline.store.getRun('tr-3');
    expect(stored?.traceParent).toBe(`00-${request.spanContext().traceId}-${start.spanContext().spanId}-01`);
    const run = otel.one('run trace.quick');
    expect(run.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(parentOf(run)).toBe(start.spanContext().spanId);
  });
});

describe('trace context into child workflows', () => {
  it("a child run executed by a second Lifeline on the same file is a child of the parent run's child-slot span", async () => {
    const child = defineWorkflow('trace.child', async (ctx, input: { x: number }) => ctx.step('square', () => input.x * input.x));
    const parent = defineWorkflow('trace.parent', async (ctx) => {
      const a = await ctx.step('prepare', () => 3);
      return ctx.child(child, { x: a });
    });
    const tmp = tempDir();
    const db = join(tmp.dir, 'family.db');
    // Each Lifeline executes only its own workflow: the child can only run in the second one.
    const parents = await Lifeline.open({ db, workflows: [parent] });
    const children = await Lifeline.open({ db, workflows: [child] });
    try {
      parents.worker({ pollMs: 20 }).start();
      const childEvents: string[] = [];
      children.events.on('event', (e) => childEvents.push(`${e.runId ?? ''} ${e.type}`));
      children.worker({ pollMs: 20 }).start();
      const handle = await parents.start(parent, undefined, { runId: 'fam-1' });
      expect(await handle.result()).toBe(9);
      await otel.ended('run trace.parent', 2);
      expect(childEvents).toContain('fam-1/child:trace.child#0 run.completed');

      const slot = otel.one('child trace.child');
      const parentRuns = otel.spans().filter((s) => s.name === 'run trace.parent');
      expect(parentOf(slot)).toBe(parentRuns[0]?.spanContext().spanId);
      expect(slot.attributes).toMatchObject({ 'lifeline.child_run_id': 'fam-1/child:trace.child#0', 'lifeline.step_id': 'child:trace.child#0' });
      const stored = await children.store.getRun('fam-1/child:trace.child#0');
      expect(stored?.traceParent).toBe(`00-${slot.spanContext().traceId}-${slot.spanContext().spanId}-01`);
      const childRun = otel.one('run trace.child');
      expect(parentOf(childRun)).toBe(slot.spanContext().spanId);
      expect(childRun.spanContext().traceId).toBe(slot.spanContext().traceId);
      expect(parentOf(otel.one('step square'))).toBe(childRun.spanContext().spanId);
      // The parent's execution segments (before the child, and after it woke the parent) are one trace, under its start.
      expect(parentRuns.length).toBe(2);
      const start = otel.one('start trace.parent');
      expect(parentRuns.map(parentOf)).toEqual([start.spanContext().spanId, start.spanContext().spanId]);
      expect(new Set(otel.spans().map((s) => s.spanContext().traceId))).toEqual(new Set([start.spanContext().traceId]));
    } finally {
      await parents.close();
      await children.close();
      tmp.cleanup();
    }
  });
});
