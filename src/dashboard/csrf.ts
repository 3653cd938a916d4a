// CSRF protection for the dashboard's POST forms: a per-process secret, put in every form as a
// hidden field and in a SameSite=Strict cookie; a POST is accepted only when the field matches
// the secret (a page of another origin cannot read it) and the cookie agrees.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const CSRF_FIELD = 'csrf';
const CSRF_COOKIE = 'lifeline_csrf';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sameSecret(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Sets the CSRF cookie on pages; refuses (403) an unsafe request without the secret. */
export function csrf(secret: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      await next();
      if (c.res.headers.get('content-type')?.startsWith('text/html')) setCookie(c, CSRF_COOKIE, secret, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return;
    }
    const field = await formField(c);
    if (!sameSecret(field, secret) || !sameSecret(getCookie(c, CSRF_COOKIE), secret)) {
      return c.text('403 Forbidden: the form has no valid CSRF token (reload the page and try again)', 403);
    }
    await next();
  };
}

async function formField(c: Context): Promise<string | undefined> {
  const header = c.req.header('x-csrf-token');
  if (header !== undefined) return header;
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  const body = await c.req.parseBody();
  const value = body[CSRF_FIELD];
  return typeof value === 'string' ? value : undefined;
}
