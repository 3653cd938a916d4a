// A minimal browser stand-in for the dashboard's HTTP tests: keeps cookies, reads the CSRF field
// of a page, posts forms (redirects are returned, not followed).
export class DashboardClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(new URL(path, this.base), { headers: { ...headers, cookie: this.cookieHeader() }, redirect: 'manual' });
    this.keep(res);
    return res;
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    const res = await fetch(new URL(path, this.base), {
      method: 'POST',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    this.keep(res);
    return res;
  }

  /** The CSRF secret in a page's forms. */
  static csrfOf(page: string): string {
    const secret = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!secret) throw new Error('the page has no CSRF field');
    return secret;
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
