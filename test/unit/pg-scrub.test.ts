import { describe, expect, it } from 'vitest';
import { scrub } from '../../src/store/postgres/connection.js';

const R = '[REDACTED]';

describe('PostgreSQL error texts go through the one redactor', () => {
  it("removes the connection's own password, even a short one, and any URL password", () => {
    expect(scrub('connect to postgres://app:pw9@db/x failed; auth pw9 rejected', ['pw9'])).toBe(
      `connect to postgres://app:${R}@db/x failed; auth ${R} rejected`,
    );
  });

  it('removes the other secret shapes too (a token in a server message)', () => {
    expect(scrub('bad option api_key=abcdef123456', [])).toBe(`bad option api_key=${R}`);
  });
});
