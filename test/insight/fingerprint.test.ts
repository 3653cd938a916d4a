import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeFingerprint, describeFingerprint, FINGERPRINT_VERSION, type FingerprintInput } from '../../src/insight/fingerprint.js';
import { normalizeMessage } from '../../src/insight/normalize-message.js';
import { topUserFrame } from '../../src/insight/stack-frame.js';
import { checkFingerprintRules } from '../../src/insight/fingerprint-rules.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';

const base: FingerprintInput = { errorClass: 'rate_limit', errorKind: 'quota', errorName: 'RateLimitError', message: 'quota exceeded', step: 'ask' };

describe('normalizeMessage', () => {
  it('strips numbers, ids, request ids, UUIDs, hex, timestamps, paths, URLs and quoted values', () => {
    expect(
      normalizeMessage(
        'Request req_8fA2x9Qz failed at 2026-11-30T04:12:55.123Z (12:00:01) for user 4411 ' +
          'run 3f2b8c1e-9d4a-4f6b-8a1c-2e7d9b0c5a11 addr 0xdeadBEEF sha 9f86d081884c7d65 ' +
          'reading /var/lib/app/data.json via https://api.example.com/v1/chat?x=1 key "sk-abc" name \'bob\'',
      ),
    ).toBe('request <id> failed at <time> (<time>) for user <n> run <uuid> addr <hex> sha <id> reading <path> via <url> key <q> name <q>');
  });

  it('keeps the words, collapses whitespace and bounds the length', () => {
    expect(normalizeMessage('  Connection   RESET by peer\n')).toBe('connection reset by peer');
    expect(normalizeMessage('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('topUserFrame', () => {
  const cwd = '/home/me/app';
  it('passes over node internals, dependencies and Lifeline itself, and drops line and column', () => {
    const own = new URL('../../src/engine/step-attempts.ts', import.meta.url).pathname;
    const stack = [
      'Error: boom',
      '    at Object.request (/home/me/app/node_modules/openai/core.js:10:5)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at runStepAttempts (${own}:120:7)`,
      '    at async planStep (file:///home/me/app/src/agents/plan.ts:42:13)',
      '    at main (/home/me/app/src/main.ts:3:1)',
    ].join('\n');
    expect(topUserFrame(stack, cwd)).toBe('src/agents/plan.ts:planStep');
    // An edit elsewhere in the file moves the line: the frame is the same.
    expect(topUserFrame(stack.replace('plan.ts:42:13', 'plan.ts:57:9'), cwd)).toBe('src/agents/plan.ts:planStep');
    expect(topUserFrame('    at /home/me/app/src/x.ts:1:2', cwd)).toBe('src/x.ts:<anonymous>');
    expect(topUserFrame('Error: only a message\n    at node:fs:1:1', cwd)).toBeNull();
    expect(topUserFrame(undefined, cwd)).toBeNull();
  });
});

describe('computeFingerprint', () => {
  it('is 16 hex characters with the current version, and stable', () => {
    const f = computeFingerprint(base);
    expect(f.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(f.version).toBe(FINGERPRINT_VERSION);
    expect(computeFingerprint({ ...base }).fingerprint).toBe(f.fingerprint);
  });

  it('keeps different problems apart: class, kind, name, step, provider, model, frame, words', () => {
    const seen = new Set(
      [
        base,
        { ...base, errorClass: 'transient' },
        { ...base, errorKind: null },
        { ...base, errorName: 'Error' },
        { ...base, step: 'plan' },
        { ...base, provider: 'openai' },
        { ...base, provider: 'openai', model: 'gpt-4o' },
        { ...base, frame: 'src/a.ts:f' },
        { ...base, message: 'quota reached' },
      ].map((i) => computeFingerprint(i).fingerprint),
    );
    expect(seen.size).toBe(9);
  });

  it('describes what it groups', () => {
    const f = computeFingerprint({ ...base, message: 'quota exceeded for req_12ab34cd', provider: 'openai', model: 'gpt-4o', frame: 'src/a.ts:ask' });
    expect(describeFingerprint(f.parts)).toBe('rate_limit/quota RateLimitError in step "ask" [openai/gpt-4o] at src/a.ts:ask: quota exceeded for <id>');
  });

  it('applies the first matching rule: a group merges, a split separates', () => {
    const rules = checkFingerprintRules([
      { match: { message: /connection reset/i }, group: 'network resets' },
      { match: { errorClass: ['validation'], step: 'parse' }, split: 'by-message' },
      { match: { step: 'shared' }, split: 'by-workflow' },
    ]);
    const reset1 = computeFingerprint({ ...base, errorClass: 'transient', message: 'Connection reset by peer', step: 'a' }, rules);
    const reset2 = computeFingerprint({ ...base, errorClass: 'dependency', message: 'socket: connection reset', step: 'b' }, rules);
    expect(reset1.fingerprint).toBe(reset2.fingerprint);
    expect(describeFingerprint(reset1.parts)).toBe('group "network resets"');
    const v = (message: string) => computeFingerprint({ ...base, errorClass: 'validation', message, step: 'parse' }, rules).fingerprint;
    expect(v('field 3 missing')).not.toBe(v('field 4 missing'));
    expect(computeFingerprint({ ...base, errorClass: 'validation', message: 'field 3 missing', step: 'other' }, rules).fingerprint).toBe(
      computeFingerprint({ ...base, errorClass: 'validation', message: 'field 4 missing', step: 'other' }, rules).fingerprint,
    );
    const w = (workflow: string) => computeFingerprint({ ...base, step: 'shared', workflow }, rules).fingerprint;
    expect(w('a')).not.toBe(w('b'));
    // Without the split, the workflow is not part of it.
    expect(computeFingerprint({ ...base, workflow: 'a' }).fingerprint).toBe(computeFingerprint({ ...base, workflow: 'b' }).fingerprint);
  });
});

describe('checkFingerprintRules', () => {
  const cases: Array<[unknown, string]> = [
    ['x', 'Invalid option insight.fingerprintRules: must be an array of rules (got "x")'],
    [[{ group: 'g' }], 'Invalid option insight.fingerprintRules[0].match: must be an object (got undefined)'],
    [[{ match: {}, group: 'g' }], 'Invalid option insight.fingerprintRules[0].match: must name at least one of errorClass, message, step'],
    [[{ match: { step: 'a' } }], 'Invalid option insight.fingerprintRules[0]: must have exactly one of group or split'],
    [[{ match: { step: 'a' }, group: 'g', split: 'by-message' }], 'Invalid option insight.fingerprintRules[0]: must have exactly one of group or split'],
    [[{ match: { message: 'reset' }, group: 'g' }], 'Invalid option insight.fingerprintRules[0].match.message: must be a RegExp (got "reset")'],
    [
      [{ match: { errorClass: 'oops' }, group: 'g' }],
      'Invalid option insight.fingerprintRules[0].match.errorClass: must be one of "transient", "rate_limit", "timeout", "dependency", "configuration", "validation", "logic", "interrupted", "cancelled", "unknown" (got "oops")',
    ],
    [[{ match: { step: 'a' }, split: 'by-model' }], 'Invalid option insight.fingerprintRules[0].split: must be "by-message" or "by-workflow" (got "by-model")'],
    [
      [{ match: { step: 'a' }, group: 'x'.repeat(101) }],
      `Invalid option insight.fingerprintRules[0].group: must be a non-empty name of at most 100 characters (got "${'x'.repeat(56)}...)`,
    ],
    [[{ match: { step: 'a', stp: 1 }, group: 'g' }], 'Invalid option insight.fingerprintRules[0].match.stp: unknown option (known: errorClass, message, step)'],
    [
      Array.from({ length: 101 }, () => ({ match: { step: 'a' }, group: 'g' })),
      'Invalid option insight.fingerprintRules: must have at most 100 rules (got 101)',
    ],
  ];
  it.each(cases)('refuses %j', (rules, message) => {
    const error = (() => {
      try {
        checkFingerprintRules(rules);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toBe(message);
  });
});

// Property tests: the varying parts of a message do not change its fingerprint; its words do.
const word = fc.stringMatching(/^[a-z]{3,10}$/);
// The kinds of varying values; a slot of a message holds values of one kind.
const KINDS = [
  fc.integer({ min: 0, max: 1e9 }).map(String),
  fc.uuid(),
  fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.stringMatching(/^[a-z]{2,4}_[A-Za-z]{2,5}[0-9][A-Za-z0-9]{3,10}$/), // request/record ids
  fc.stringMatching(/^[0-9a-f]{8,40}$/).filter((s) => /\d/.test(s) && /[a-f]/.test(s)), // hex digests (all digits: a number)
  fc.stringMatching(/^0x[0-9a-f]{1,16}$/),
];
type Part = { word: string } | { kind: number };
/** A message template: words and slots for varying values. */
const template = fc.array(
  fc.oneof(
    word.map((w): Part => ({ word: w })),
    fc.nat({ max: KINDS.length - 1 }).map((k): Part => ({ kind: k })),
  ),
  {
    minLength: 1,
    maxLength: 12,
  },
);
/** Values for every kind (a filling of any template). */
const values = fc.tuple(...KINDS.map((k) => fc.array(k, { minLength: 1, maxLength: 6 })));
const fill = (t: Part[], v: string[][]) => t.map((p, i) => ('word' in p ? p.word : (v[p.kind]![i % v[p.kind]!.length] as string))).join(' ');

describe('fingerprint properties', () => {
  it('is stable under id, number, UUID, hex and time substitutions', () => {
    fc.assert(
      fc.property(template, values, values, (t, a, b) => {
        const fa = computeFingerprint({ ...base, message: fill(t, a) });
        const fb = computeFingerprint({ ...base, message: fill(t, b) });
        expect(fa.fingerprint).toBe(fb.fingerprint);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps different words, classes and steps apart', () => {
    fc.assert(
      fc.property(template, values, word, word, (t, v, w1, w2) => {
        fc.pre(w1 !== w2);
        const message = fill(t, v);
        const one = computeFingerprint({ ...base, message: `${message} ${w1}` }).fingerprint;
        expect(computeFingerprint({ ...base, message: `${message} ${w2}` }).fingerprint).not.toBe(one);
        expect(computeFingerprint({ ...base, message: `${message} ${w1}`, errorClass: 'timeout' }).fingerprint).not.toBe(one);
        expect(computeFingerprint({ ...base, message: `${message} ${w1}`, step: `${base.step}-${w2}` }).fingerprint).not.toBe(one);
      }),
      { numRuns: 300 },
    );
  });
});
