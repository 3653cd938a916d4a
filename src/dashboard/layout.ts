// The page shell every dashboard page shares: head (local stylesheet and script only), the
// navigation, a flash message, and the data the live script needs (event id, run).
import { markup, type Html, type HtmlValue } from './html.js';
import type { Cell } from './plugins.js';
import { CSRF_FIELD } from './csrf.js';

export type Section = 'runs' | 'workers' | 'breakers' | 'costs' | 'insight';

const NAV: Array<[Section, string, string]> = [
  ['runs', '/runs', 'Runs'],
  ['workers', '/workers', 'Workers'],
  ['breakers', '/breakers', 'Breakers and limits'],
  ['costs', '/costs', 'Costs'],
  ['insight', '/insight', 'Insight'],
];

export interface PageArgs {
  title: string;
  section: Section;
  /** The newest event id when the page was drawn: live updates start after it. */
  after: number;
  /** The run a run page shows (its stream carries only that run's events). */
  runId?: string;
  flash?: { text: string; error: boolean } | undefined;
  body: HtmlValue;
}

export function page(args: PageArgs): Html {
  return markup`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${args.title} · Lifeline</title>
        <link rel="stylesheet" href="/assets/style.css" />
        <script src="/assets/live.js" defer></script>
      </head>
      <body data-after="${args.after}" data-run="${args.runId ?? ''}">
        <header class="top">
          <a class="brand" href="/runs">Lifeline</a>
          <nav aria-label="Sections">
            <ul>
              ${NAV.map(([key, href, label]) => markup`<li><a href="${href}"${key === args.section ? markup` aria-current="page"` : ''}>${label}</a></li>`)}
            </ul>
          </nav>
          <span class="live" id="live-state" role="status">live</span>
        </header>
        <main>
          <h1>${args.title}</h1>
          ${args.flash ? markup`<p class="flash ${args.flash.error ? 'bad' : 'ok'}" role="${args.flash.error ? 'alert' : 'status'}">${args.flash.text}</p>` : ''}
          ${args.body}
        </main>
      </body>
    </html>`;
}

/** A region the live script redraws when events arrive (its `id` must be unique on the page). */
export function live(id: string, content: HtmlValue): Html {
  return markup`<section id="${id}" data-live>${content}</section>`;
}

export function badge(cell: Cell): Html {
  return markup`<span class="badge ${cell.tone ?? 'muted'}"${cell.title ? markup` title="${cell.title}"` : ''}>${cell.text}</span>`;
}

export function table(caption: string, columns: readonly string[], rows: readonly HtmlValue[][], empty: string): Html {
  if (rows.length === 0) return markup`<p class="empty">${empty}</p>`;
  return markup`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((c) => markup`<th scope="col">${c}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          markup`<tr>
            ${r.map((cell) => markup`<td>${cell}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The hidden CSRF field every POST form carries. */
export function csrfField(secret: string): Html {
  return markup`<input type="hidden" name="${CSRF_FIELD}" value="${secret}" />`;
}

export function time(ms: number | null): Html {
  if (ms === null) return markup``;
  const iso = new Date(ms).toISOString();
  return markup`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 19)}</time>`;
}
