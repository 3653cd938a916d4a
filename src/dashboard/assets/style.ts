// The dashboard's one stylesheet, served at /assets/style.css (kept in a module so the package
// needs no file copying; no CDN, no web fonts).
export const STYLE_CSS = `
:root { --fg: #1d232b; --muted: #5c6773; --bg: #f7f8fa; --card: #fff; --line: #d9dee5; --accent: #2456c7;
  --ok: #1f7a3e; --warn: #8a5a00; --bad: #b42318; --info: #2456c7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 3px solid #7aa2ff; outline-offset: 2px; }
.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #14213d; color: #fff; }
.top a { color: #fff; text-decoration: none; }
.brand { font-weight: 700; font-size: 1.1rem; }
.top nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.top nav a[aria-current="page"] { border-bottom: 2px solid #fff; }
.live { margin-left: auto; font-size: .8rem; opacity: .8; }
.live.off { color: #ffb4a9; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: .5rem 0 1rem; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: .95rem; margin: .8rem 0 .3rem; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin-bottom: .5rem; }
caption { text-align: left; color: var(--muted); font-size: .8rem; padding: .2rem 0; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td time, td a { white-space: nowrap; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; border: 1px solid currentColor; }
.badge.ok { color: var(--ok); } .badge.warn { color: var(--warn); } .badge.bad { color: var(--bad); }
.badge.info { color: var(--info); } .badge.muted { color: var(--muted); }
.class { font-family: ui-monospace, monospace; color: var(--bad); }
.muted, .empty, .note, .kind { color: var(--muted); }
.flash { padding: .5rem .8rem; border-radius: 6px; background: var(--card); border: 1px solid currentColor; }
.flash.ok { color: var(--ok); } .flash.bad { color: var(--bad); }
.filters { display: flex; flex-wrap: wrap; gap: .4rem .8rem; align-items: center; margin-bottom: 1rem; }
.filters label { font-weight: 600; }
input, select, textarea, button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
.actions { display: flex; flex-wrap: wrap; gap: 1rem; }
.action { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; max-width: 360px; }
.action p { margin: 0 0 .4rem; color: var(--muted); }
.signal { display: grid; gap: .3rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
.facts dt { font-weight: 600; } .facts dd { margin: 0; }
pre.data { background: #0f172a; color: #e2e8f0; padding: .6rem; border-radius: 6px; overflow: auto; max-height: 20rem; white-space: pre-wrap; word-break: break-word; }
.timeline { list-style: none; padding: 0; }
.step > details { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; margin-bottom: .5rem; padding: .4rem .8rem; }
.step summary { cursor: pointer; }
.step-id { font-family: ui-monospace, monospace; font-weight: 600; }
.step > .rewind { margin: -.3rem 0 .6rem; padding: .3rem .8rem; max-width: none; border-style: dashed; }
.meter { font-size: 1.6rem; font-weight: 700; margin: .3rem 0 1rem; }
.error { color: var(--bad); }
`;
