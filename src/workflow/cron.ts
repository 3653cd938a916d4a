// Cron expressions (issue 12 §5), parsed by cron-parser: 5 fields (minute hour day-of-month month
// day-of-week) or 6 (seconds first), in an IANA time zone. Only tick arithmetic lives here: which
// ticks fall in a time span. Which of them fire is the catch-up policy's (engine/schedule-ticks.ts).
import { CronExpressionParser, type CronExpression } from 'cron-parser';

export class CronTicks {
  constructor(
    readonly expression: string,
    readonly timezone: string,
  ) {
    this.at(Date.now()); // parses now: a bad expression fails where it is declared
  }

  private at(time: number): CronExpression {
    return CronExpressionParser.parse(this.expression, { currentDate: new Date(time), tz: this.timezone, strict: false });
  }

  /** The first tick strictly after `time`. */
  next(time: number): number {
    return this.at(time).next().getTime();
  }

  /**
   * The ticks in (after, until], ascending: at most the latest `limit` of them, and whether there
   * were more. Walks back from `until`, so a long downtime costs at most `limit + 1` steps.
   */
  latestIn(after: number, until: number, limit: number): { ticks: number[]; more: boolean } {
    const ticks: number[] = [];
    if (until <= after) return { ticks, more: false };
    const it = this.at(until + 1); // prev() is strictly before its start: include a tick at `until`
    for (;;) {
      const tick = it.prev().getTime();
      if (tick <= after) return { ticks: ticks.reverse(), more: false };
      if (ticks.length === limit) return { ticks: ticks.reverse(), more: true };
      ticks.push(tick);
    }
  }
}

/** The number of fields of an expression (cron-parser also takes fewer, filling the rest). */
export function cronFieldCount(expression: string): number {
  return expression.trim().split(/\s+/).length;
}

/** Whether `timezone` is a time zone this runtime knows (IANA names, e.g. "Europe/Berlin", or "UTC"). */
export function isKnownTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
