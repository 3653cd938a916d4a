// Who may talk to the dashboard. Bound to a loopback address without a token, only requests
// naming a local host are served (a web page cannot reach it through DNS rebinding). With a
// token, every request carries it: the cookie set by a `?token=` login, or an
// `Authorization: Bearer` header.
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { sameSecret } from './csrf.js';

const TOKEN_COOKIE = 'lifeline_token';
const LOCAL_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopback(host: string): boolean {
  return LOCAL_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function authenticate(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) {
      const hostname = (c.req.header('host') ?? '').replace(/:\d+$/, '');
      if (!isLoopback(hostname)) return c.text(`403 Forbidden: host "${hostname}" is not a local address`, 403);
      return next();
    }
    const login = c.req.query('token');
    if (login !== undefined) {
      if (!sameSecret(login, token)) return c.text('401 Unauthorized: wrong token', 401);
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (sameSecret(bearer ?? getCookie(c, TOKEN_COOKIE), token)) return next();
    return c.text('401 Unauthorized: open the dashboard with ?token=... or send Authorization: Bearer <token>', 401);
  };
}
