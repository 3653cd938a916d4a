import { describe, expect, it } from 'vitest';
import { redactKnownValues, redactSecrets } from '../../../src/errors/redact.js';

const R = '[REDACTED]';

describe('redactSecrets', () => {
  it.each<[string, string, string]>([
    ['Authorization header', 'Authorization: Bearer xxx', `Authorization: Bearer ${R}`],
    ['Authorization in JSON', '{"authorization":"Basic dXNlcjpwYXNz"}', `{"authorization":"Basic ${R}"}`],
    ['x-api-key header', 'x-api-key: abc123', `x-api-key: ${R}`],
    ['a bare Bearer token', 'sent Bearer abc.def-123456789 to upstream', `sent Bearer ${R} to upstream`],
    ['a bare Basic credential', 'curl -H Basic dXNlcjpwYXNzd29yZA==', `curl -H Basic ${R}`],
    ['a password in a URL', 'postgres://app:s3cr3t@db.internal:5432/app', `postgres://app:${R}@db.internal:5432/app`],
    ['an empty user in a URL', 'redis://:hunter22@cache:6379', `redis://:${R}@cache:6379`],
    ['?api_key=', 'GET https://api.example.com/v1?api_key=abc&x=1', `GET https://api.example.com/v1?api_key=${R}&x=1`],
    ['&token=', '/cb?state=1&access_token=ya29.a0Af&scope=email', `/cb?state=1&access_token=${R}&scope=email`],
    ['apikey / api-key / key', 'apikey=1 api-key=2 key=3', `apikey=${R} api-key=${R} key=${R}`],
    ['form password=', 'user=bob&password=x', `user=bob&password=${R}`],
    ['passwd, secret, client_secret', 'passwd=a secret=b client_secret=c', `passwd=${R} secret=${R} client_secret=${R}`],
    ['an env assignment', 'OPENAI_API_KEY=abc DB_PASSWORD=def', `OPENAI_API_KEY=${R} DB_PASSWORD=${R}`],
    ['JSON "password"', '{"user":"bob","password":"x"}', `{"user":"bob","password":"${R}"}`],
    ['JSON with spaces and escapes', `{ "api_key" : "a\\"b", "token": 'c' }`, `{ "api_key" : "${R}", "token": '${R}' }`],
    ['OpenAI key', 'key sk-abcdefghijklmnopqrstuvwxyz0123 used', `key ${R} used`],
    ['OpenAI project key', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx_yz-0123', R],
    ['Anthropic key', 'x sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxyz', `x ${R}`],
    ['GitHub ghp_', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', R],
    ['GitHub gho_', 'token is gho_ABCDEFGHIJKLMNOPQRST1234', `token is ${R}`],
    ['GitHub fine-grained', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', R],
    ['AWS access key id', 'aws AKIAIOSFODNN7EXAMPLE here', `aws ${R} here`],
    ['Slack token', 'xoxb-123456789012-abcdefABCDEF', R],
    ['Google API key', 'AIzaSyA-1234567890abcdefghijklmnopqrstu', R],
    ['JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end', `jwt ${R} end`],
  ])('%s', (_label, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    'The key point is that the tokenizer splits words.',
    'See https://example.com:8080/path?page=2&q=keys for details',
    'max_tokens=100 monkey=3 keyboard=us',
    'Bearer bonds and Basic authentication.',
    'risk-free task-management and desk-lamps',
    'Error: authorization failed for user bob',
    'user@example.com wrote: ok',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redactSecrets('Authorization: Bearer sk-abcdefghijklmnopqrstuvwxyz0123 ?token=abc');
    expect(redactSecrets(once)).toBe(once);
  });

  it('applies extra patterns, global or not, ignoring empty matches', () => {
    expect(redactSecrets('id ACME-1234 and ACME-5678', [/ACME-\d{4}/])).toBe(`id ${R} and ${R}`);
    expect(redactSecrets('abc', [/x*/g])).toBe('abc');
  });
});

describe('redactKnownValues', () => {
  it('scrubs each exact value, longest first', () => {
    expect(redactKnownValues('pw hunter22 and hunter22x', ['hunter22', 'hunter22x'])).toBe(`pw ${R} and ${R}`);
  });

  it('skips values shorter than 6 characters', () => {
    expect(redactKnownValues('a b abcde', ['a', 'abcde', ''])).toBe('a b abcde');
  });

  it('treats values literally, not as patterns', () => {
    expect(redactKnownValues('x a.b*c+d y', ['a.b*c+d'])).toBe(`x ${R} y`);
  });
});

describe('redactKnownValues with a lower bound', () => {
  it('removes short values only when the caller lowers the bound', () => {
    expect(redactKnownValues('pw abc here', ['abc'])).toBe('pw abc here');
    expect(redactKnownValues('pw abc here', ['abc', ''], 1)).toBe(`pw ${R} here`);
  });
});
