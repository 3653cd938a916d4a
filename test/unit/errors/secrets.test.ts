import { describe, expect, it } from 'vitest';
import { registerSecret } from '../../../src/errors/secrets.js';
import { redactSecrets } from '../../../src/errors/redact.js';
import { Lifeline } from '../../../src/engine/lifeline.js';

const R = '[REDACTED]';

describe('registered secrets', () => {
  it('a registered value is redacted wherever it appears, also URL-encoded, however it looks', () => {
    registerSecret('plain words secret');
    registerSecret('p@ss w/rd');
    expect(redactSecrets('said plain words secret twice: plain words secret')).toBe(`said ${R} twice: ${R}`);
    expect(redactSecrets('GET /x?q=p%40ss%20w%2Frd')).toBe(`GET /x?q=${R}`);
  });

  it('a bad value is refused, naming the field and the bound, never printing the value', () => {
    expect(() => registerSecret('abc')).toThrow('Invalid option registerSecret(value): must be a string of 4 to 65536 characters (got 3 characters)');
    expect(() => registerSecret(42)).toThrow('Invalid option registerSecret(value): must be a string (got number)');
  });

  it('Lifeline.open checks secrets up front', async () => {
    await expect(Lifeline.open({ db: ':memory:', secrets: ['long-enough', 'xy'] })).rejects.toThrow(
      'Invalid option Lifeline.open.secrets[1]: must be a string of 4 to 65536 characters (got 2 characters)',
    );
    await expect(Lifeline.open({ db: ':memory:', secrets: 'one' as unknown as string[] })).rejects.toThrow(
      'Invalid option Lifeline.open.secrets: must be an array',
    );
  });
});

describe('key-like tokens of any realistic length', () => {
  it.each<[string, string, string]>([
    ['a short OpenAI key fragment', 'Incorrect API key provided: sk-abc***xyz1.', `Incorrect API key provided: ${R}.`],
    ['a masked key without sk-', 'Incorrect API key provided: abcd****************wxyz. See docs', `Incorrect API key provided: ${R}. See docs`],
    ['a short full key after "provided"', 'Incorrect API key provided: abc123.', `Incorrect API key provided: ${R}.`],
    ['a short sk- key', 'using sk-1234abcd now', `using ${R} now`],
    ['a short Anthropic key', 'key sk-ant-api03-xy', `key ${R}`],
    ['a short bare Bearer token', 'sent Bearer ab12cd to upstream', `sent Bearer ${R} to upstream`],
    ['a masked fragment alone', 'key ab***yz1 rejected', `key ${R} rejected`],
  ])('%s', (_label, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each(['risk-free desk-top task-based', 'Bearer bonds are paper', 'a ** b, 2 *** 3 is bold markdown'])('leaves %j alone', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});
