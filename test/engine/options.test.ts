// Every public option goes through one validation module: a misspelt field is refused with the
// same message everywhere, and step names and functions are checked before the step runs.
import { afterEach, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import { RunFailedError } from '../../src/errors/workflow-errors.js';
import { openPostgresStore, openSqliteStore, openStore } from '../../src/store/open-store.js';
import { defineWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { startEngine, tempDir, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const WORKFLOW_KNOWN = 'inputSchema, outputSchema, retry, stepTimeout, classifiers, budget, recovery, schedules, version';
const STEP_KNOWN =
  'retry, timeout, classifiers, policy, optional, routes, limits, estimatedTokens, breaker, cache, tags, sideEffect, compensate, compensateRetry';
const ERROR_CLASS_LIST = 'transient, rate_limit, timeout, dependency, configuration, validation, logic, interrupted, cancelled, unknown';

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('unknown options: one message everywhere', () => {
  it('defineWorkflow', () => {
    expect(() => defineWorkflow('opt.wf1', async () => 1, { stepTimout: '5s' } as never)).toThrow(
      new InvalidOptionsError(`Invalid option workflow "opt.wf1".stepTimout: unknown option (known: ${WORKFLOW_KNOWN})`),
    );
    expect(() => defineWorkflow('opt.wf2', async () => 1, { retries: 3 } as never)).toThrow(
      new InvalidOptionsError(`Invalid option workflow "opt.wf2".retries: unknown option (known: ${WORKFLOW_KNOWN})`),
    );
    expect(() => defineWorkflow('opt.wf3', async () => 1, { classifiers: [42] } as never)).toThrow(
      new InvalidOptionsError('Invalid option workflow "opt.wf3".classifiers[0]: must be a function (got number)'),
    );
    expect(() => defineWorkflow('opt.wf4', async () => 1, { inputSchema: { parse: 1 } } as never)).toThrow(
      new InvalidOptionsError('Invalid option workflow "opt.wf4".inputSchema: must be a zod schema (an object with safeParse) (got object)'),
    );
  });

  it('Lifeline.open, start(), result(), worker() and openStore()', async () => {
    const tmp = tempDir();
    try {
      const db = `${tmp.dir}/o.db`;
      expect(await rejection(Lifeline.open({ dbb: db } as never))).toEqual(
        new InvalidOptionsError(
          'Invalid option Lifeline.open.dbb: unknown option (known: db, workflows, clock, maxPayloadBytes, pricing, secrets, limits, breakers, logger, slos, insight)',
        ),
      );
      expect(await rejection(Lifeline.open({ db, maxPayloadBytes: 10 }))).toEqual(
        new InvalidOptionsError('Invalid option Lifeline.open.maxPayloadBytes: must be an integer from 1024 to 1073741824 (got 10)'),
      );
      expect(await rejection(Lifeline.open({ db: 42 } as never))).toEqual(
        new InvalidOptionsError(
          'Invalid option Lifeline.open.db: must be a database location (string) or a Store (an object with createRun, getRun, close) (got number)',
        ),
      );
      expect(await rejection(openStore(db, { busyTimeout: 5 } as never))).toEqual(
        new InvalidOptionsError(
          'Invalid option openStore.busyTimeout: unknown option (known: synchronous, busyTimeoutMs, readOnly, schema, poolSize, softPoolSize, connectTimeoutMs, leaseClock)',
        ),
      );
      // The backend-specific open functions take only their own backend's fields.
      expect(await rejection(openSqliteStore(db, { poolSize: 7 } as never))).toEqual(
        new InvalidOptionsError('Invalid option openSqliteStore.poolSize: unknown option (known: synchronous, busyTimeoutMs, readOnly)'),
      );
      expect(await rejection(openPostgresStore('postgres://u@127.0.0.1:1/db', { synchronous: 'FULL' } as never))).toEqual(
        new InvalidOptionsError(
          'Invalid option openPostgresStore.synchronous: unknown option (known: schema, poolSize, softPoolSize, connectTimeoutMs, readOnly, leaseClock)',
        ),
      );
      const wf = defineWorkflow('opt.start', async () => 1);
      const lifeline = await Lifeline.open({ db, workflows: [wf] });
      try {
        expect(await rejection(lifeline.start(wf, null, { runid: 'x' } as never))).toEqual(
          new InvalidOptionsError('Invalid option start.runid: unknown option (known: runId)'),
        );
        expect(await rejection(lifeline.start(wf, null, { runId: '' }))).toEqual(
          new InvalidOptionsError('Invalid option start.runId: must be a non-empty string of at most 200 characters without NUL (got "")'),
        );
        expect(await rejection(lifeline.result('nope', { pollMS: 5 } as never))).toEqual(
          new InvalidOptionsError('Invalid option result.pollMS: unknown option (known: pollMs)'),
        );
        expect(() => lifeline.worker({ leaseMS: 5 } as never)).toThrow(
          new InvalidOptionsError(
            'Invalid option worker.leaseMS: unknown option (known: concurrency, leaseMs, heartbeatMs, pollMs, shutdownGraceMs, deadOwnerCheckMs, workerId, host, pid, maxClaimsWithoutProgress, logger, retention, fireSchedules)',
          ),
        );
        expect(() => lifeline.worker({ host: 7 } as never)).toThrow(
          new InvalidOptionsError('Invalid option worker.host: must be a non-empty string of at most 255 characters without NUL (got 7)'),
        );
        expect(await lifeline.listRuns()).toEqual([]); // nothing was started by the refused calls
      } finally {
        await lifeline.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});

describe('ctx.step arguments are checked before the step runs (real SQLite store)', () => {
  type Call = (ctx: WorkflowContext, body: () => string) => Promise<unknown>;
  const cases: Array<[string, Call, string]> = [
    [
      'a null name',
      (ctx, body) => ctx.step(null as never, body),
      'Invalid step name in workflow "WF": must be a non-empty string of at most 256 characters without NUL or unpaired surrogates (got null)',
    ],
    [
      'an empty name',
      (ctx, body) => ctx.step('', body),
      'Invalid step name in workflow "WF": must be a non-empty string of at most 256 characters without NUL or unpaired surrogates (got "")',
    ],
    [
      'an object as name',
      (ctx, body) => ctx.step({} as never, body),
      'Invalid step name in workflow "WF": must be a non-empty string of at most 256 characters without NUL or unpaired surrogates (got {})',
    ],
    [
      'a NUL in the name',
      (ctx, body) => ctx.step('a\0b', body),
      'Invalid step name in workflow "WF": must be a non-empty string of at most 256 characters without NUL or unpaired surrogates (got "a\\u0000b")',
    ],
    [
      'an unpaired surrogate in the name',
      (ctx, body) => ctx.step('a\ud800', body),
      'Invalid step name in workflow "WF": must be a non-empty string of at most 256 characters without NUL or unpaired surrogates (got "a\\ud800")',
    ],
    ['a string as function', (ctx) => ctx.step('s', 'body' as never), 'Invalid step "s" in workflow "WF": its function must be a function (got "body")'],
    [
      'a misspelt option',
      (ctx, body) => ctx.step('s', body, { timout: '1s' } as never),
      `Invalid option step "s".timout: unknown option (known: ${STEP_KNOWN})`,
    ],
    [
      'a bad timeout',
      (ctx, body) => ctx.step('s', body, { timeout: -1 }),
      'Invalid option step "s".timeout: must be a duration >= 0 in ms or a string like "5s" (got -1)',
    ],
    [
      'a policy that is not one',
      (ctx, body) => ctx.step('s', body, { policy: { maxAttempts: 3 } as never }),
      'Invalid option step "s".policy: must be a policy (retry, timeout, fallback, circuitBreaker, bulkhead or wrap) (an object with execute, onEvent, run) (got object)',
    ],
    [
      'optional without a default',
      (ctx, body) => ctx.step('s', body, { optional: {} as never }),
      'Invalid option step "s".optional.default: is required: the value the step returns when it fails for good (got no default)',
    ],
    [
      'optional with a misspelt field',
      (ctx, body) => ctx.step('s', body, { optional: { defualt: 1 } as never }),
      'Invalid option step "s".optional.defualt: unknown option (known: default)',
    ],
    ['an empty fallback chain', (ctx) => ctx.fallback('f', []), 'Invalid option fallback "f".alternatives: must name at least one alternative (got [])'],
    [
      'a fallback chain that is not an array',
      (ctx, body) => ctx.fallback('f', { name: 'a', run: body } as never),
      'Invalid option fallback "f".alternatives: must be an array (got object)',
    ],
    [
      'an alternative without a name',
      (ctx, body) =>
        ctx.fallback('f', [
          { name: 'a', run: body },
          { name: '', run: body },
        ]),
      'Invalid option fallback "f".alternatives[1].name: must be a non-empty string of at most 200 characters without NUL (got "")',
    ],
    [
      'duplicate alternative names',
      (ctx, body) =>
        ctx.fallback('f', [
          { name: 'gpt-4o', run: body },
          { name: 'claude', run: body },
          { name: 'gpt-4o', run: body },
        ]),
      'Invalid option fallback "f".alternatives[2].name: duplicates alternatives[0].name: names must be unique (got "gpt-4o")',
    ],
    [
      'an alternative without a function',
      (ctx) => ctx.fallback('f', [{ name: 'a' } as never]),
      'Invalid option fallback "f".alternatives[0].run: must be a function (got undefined)',
    ],
    [
      'a misspelt alternative field',
      (ctx, body) => ctx.fallback('f', [{ name: 'a', run: body, timout: 5 } as never]),
      'Invalid option fallback "f".alternatives[0].timout: unknown option (known: name, run, retry, timeout, policy, breaker)',
    ],
    [
      "a bad alternative's retry",
      (ctx, body) => ctx.fallback('f', [{ name: 'a', run: body, retry: { maxAttempts: 0 } }]),
      'Invalid option fallback "f".alternatives[0].retry.maxAttempts: must be an integer from 1 to 1000 (got 0)',
    ],
    [
      'an unknown error class in on',
      (ctx, body) => ctx.fallback('f', [{ name: 'a', run: body }], { on: ['timeout', 'ratelimit' as never] }),
      `Invalid option fallback "f".on[1]: unknown error class (known: ${ERROR_CLASS_LIST}) (got "ratelimit")`,
    ],
    [
      'an empty on',
      (ctx, body) => ctx.fallback('f', [{ name: 'a', run: body }], { on: [] }),
      'Invalid option fallback "f".on: must name at least one error class (got [])',
    ],
    [
      'a misspelt chain option',
      (ctx, body) => ctx.fallback('f', [{ name: 'a', run: body }], { onn: ['timeout'] } as never),
      'Invalid option fallback "f".onn: unknown option (known: on, onKinds, classifiers, compensate, compensateRetry)',
    ],
  ];

  it.each(cases)('%s: the run fails at once with class configuration, nothing ran or was written', async (what, call, message) => {
    const name = `opt.step.${what.replace(/\W+/g, '-')}`;
    let ran = 0;
    const wf: WorkflowDefinition = defineWorkflow(name, async (ctx) => call(ctx, () => `ran ${++ran}`));
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    const expected = message.replace('"WF"', `"${name}"`);
    expect(await rejection(h.result())).toEqual(new RunFailedError(h.runId, 'configuration', expected));
    const run = await h.status();
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ errorClass: 'configuration', message: expected });
    expect(run.claimCount).toBe(1);
    expect(ran).toBe(0);
    expect(await engine.lifeline.store.getSteps(h.runId)).toEqual([]);
    expect(await engine.lifeline.store.listAttempts(h.runId)).toEqual([]);
  });

  it('the workflow can catch the error of its own call and go on', async () => {
    const wf = defineWorkflow('opt.step.catch', async (ctx) => {
      const refused = await ctx.step(null as never, () => 1).catch((e: unknown) => e);
      const ok = await ctx.step('ok', () => 2);
      return { refused: refused instanceof InvalidOptionsError, ok };
    });
    engine = await startEngine({ workflows: [wf] });
    expect(await (await engine.lifeline.start(wf, null)).result()).toEqual({ refused: true, ok: 2 });
  });
});
