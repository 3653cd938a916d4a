// Number formats the insight subcommands share: percentages, ratios, durations.

export function pct(fraction: number | null, digits = 1): string {
  return fraction === null || !Number.isFinite(fraction) ? '-' : `${(fraction * 100).toFixed(digits)}%`;
}

export function ms(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  if (value < 1000) return `${Math.round(value)}ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(1)}s`;
  if (value < 3_600_000) return `${(value / 60_000).toFixed(1)}m`;
  if (value < 86_400_000) return `${(value / 3_600_000).toFixed(1)}h`;
  return `${(value / 86_400_000).toFixed(1)}d`;
}

export function rate(value: number): string {
  return value === 0 ? '0' : value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
