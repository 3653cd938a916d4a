// Short human forms of times and durations, shared by run activity reasons, progress and `watch`.

/** "12:03:10" (UTC), with the date in front when `at` is not on the same UTC day as `now`. */
export function clockTime(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? iso.slice(11, 19) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** "850ms", "45s", "7m", "2h 5m", "3d 4h": the two largest units, rounded down. */
export function shortDuration(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t < 1000) return `${t}ms`;
  const s = Math.floor(t / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 || m >= 10 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}
