// A worker's part in cron schedules (issue 12 §5): on each turn of its poll loop it fires the
// schedules of the workflows it has loaded whose next tick has come. Exactly one run per tick
// across every worker and host is the store's doing (Store.fireSchedule: compare and set of the
// row's firedThrough, runs created idempotently under ids derived from the tick); this only
// decides, from the row it read, which ticks fire (schedule-ticks.ts), and says what happened.
import type { Store } from '../store/store.js';
import type { EventMap, LifelineEvent } from '../store/events.js';
import { scheduleRunId, type ScheduleDefinition, type ScheduleRecord } from '../store/schedules.js';
import type { Clock } from '../time/clock.js';
import { CronTicks } from '../workflow/cron.js';
import type { WorkflowDefinition } from '../workflow/define.js';
import { latestDefinitions } from '../workflow/versions.js';
import { planTicks } from './schedule-ticks.js';

export interface ScheduleFirerDeps {
  store: Store;
  clock: Clock;
  workflows: () => WorkflowDefinition[];
  emit: (event: LifelineEvent) => void;
  /**
   * The schedules table is read again at least this often (the worker's pollMs), so a schedule
   * created at runtime (lifeline.schedule, possibly in another process) fires without a restart.
   */
  rescanMs: number;
}

export class ScheduleFirer {
  /** The ids last written with upsertSchedules (written again when the loaded set changes). */
  private stored = '';
  private readonly crons = new Map<string, CronTicks>();
  /** No schedule of this worker is due before this time (the earliest next tick it computed). */
  private nextDue = -Infinity;
  /** The version each loaded workflow's scheduled runs are pinned to. */
  private versions = new Map<string, number | null>();
  /** When the schedules table was last read: it is read again after rescanMs (runtime schedules). */
  private scannedAt = -Infinity;

  constructor(private readonly deps: ScheduleFirerDeps) {}

  /** A schedule of the code whose id a schedule created at runtime holds: the upsert left that row, and the code's does not fire. */
  private reportShadowed(row: ScheduleRecord): void {
    const owner = latestDefinitions(this.deps.workflows()).find((w) => (w.schedules ?? []).some((d) => d.id === row.id));
    const message =
      `Schedule "${row.id}" declared in the code of workflow "${owner?.name ?? row.workflow}" was not stored: a schedule created at runtime has that id and fires instead (cron ${row.cron}). ` +
      `Remove it (\`lifeline schedules remove ${row.id}\`) and the code's schedule is stored at the next start of a worker.`;
    this.deps.emit({ type: 'worker.error', data: { context: 'schedules', message }, at: this.deps.clock.now() });
  }

  /** The schedules changed (one was created at runtime in this process): read them at the next turn. */
  rescan(): void {
    this.scannedAt = -Infinity;
  }

  /** Fires what is due; returns the time of the earliest next tick, or null without schedules. */
  async fireDue(): Promise<number | null> {
    const workflows = this.deps.workflows();
    if (workflows.length === 0) return null;
    // The highest loaded version of each workflow owns its schedules and pins their runs (workflow/versions.ts).
    const current = latestDefinitions(workflows);
    this.versions = new Map(current.map((w) => [w.name, w.version ?? null]));
    const definitions = current.flatMap((w) => w.schedules ?? []); // a definition made by another copy may lack it
    const now = this.deps.clock.now();
    const ids = definitions.map((d) => d.id).join('\n');
    if (ids === this.stored && now < this.nextDue && now < this.scannedAt + this.deps.rescanMs) return this.nextDue === Infinity ? null : this.nextDue;
    if (ids !== this.stored) {
      const rows = definitions.length > 0 ? await this.deps.store.upsertSchedules({ schedules: definitions, now }) : [];
      this.stored = ids;
      for (const row of rows) if (row.source !== 'code') this.reportShadowed(row);
    }
    // Code schedules of the loaded definitions (a row a worker stored for a schedule since removed
    // from the code does not fire), and runtime schedules of every loaded workflow.
    const loaded = new Set(workflows.map((w) => w.name));
    const inCode = new Set(definitions.map((d) => d.id));
    const rows = (await this.deps.store.listSchedules()).filter((r) => (r.source === 'runtime' ? loaded.has(r.workflow) : inCode.has(r.id)));
    this.scannedAt = now;
    let next = Infinity;
    for (const row of rows) {
      const cron = this.cronOf(row);
      await this.fireOne(row, cron, now);
      if (!row.paused) next = Math.min(next, cron.next(Math.max(now, row.firedThrough)));
    }
    // With a paused schedule the rows are read at every poll: a resume elsewhere must not wait for another schedule's tick.
    this.nextDue = rows.some((r) => r.paused) ? -Infinity : next;
    return next === Infinity ? null : next;
  }

  private async fireOne(row: ScheduleRecord, cron: CronTicks, now: number): Promise<void> {
    const plan = planTicks(row, cron, now);
    if (plan === null) return;
    const runs = plan.fire.map((tick) => ({ id: scheduleRunId(row.id, tick), tick }));
    const iso = (t: number) => new Date(t).toISOString();
    this.emit('schedule.firing', { scheduleId: row.id, ticks: plan.fire.map(iso) });
    const result = await this.deps.store.fireSchedule({
      id: row.id,
      expectedFiredThrough: row.firedThrough,
      firedThrough: plan.firedThrough,
      runs,
      workflow: row.workflow,
      version: this.versions.get(row.workflow) ?? null,
      input: row.input,
      now,
    });
    if (!result.fired) return; // another worker fired these ticks, or the schedule was paused since
    if (result.created.length > 0)
      this.deps.emit({ type: 'schedule.fired', data: { scheduleId: row.id, ticks: plan.fire.map(iso), runIds: result.created }, at: now });
    // `one` folds missed ticks into its run: nothing is skipped there.
    if (plan.capped) {
      const text = `schedule ${row.id} missed more than ${row.maxCatchUp} ticks up to ${iso(plan.firedThrough)}: catchUp "all" starts runs for the latest maxCatchUp (${row.maxCatchUp}) of them and skips the older ones`;
      this.emit('schedule.skipped', { scheduleId: row.id, capped: true, text });
    } else if (row.catchUp === 'skip' && plan.skipped > 0) {
      const text = `schedule ${row.id} skipped missed ticks up to ${iso(plan.firedThrough)}: catchUp "skip" fires a tick only within grace (${row.graceMs} ms) of its time`;
      this.emit('schedule.skipped', { scheduleId: row.id, capped: false, text });
    }
  }

  private emit<K extends 'schedule.firing' | 'schedule.skipped'>(type: K, data: EventMap[K]): void {
    this.deps.emit({ type, data, at: this.deps.clock.now() } as LifelineEvent);
  }

  private cronOf(row: ScheduleDefinition): CronTicks {
    const key = `${row.timezone} ${row.cron}`;
    let cron = this.crons.get(key);
    if (cron === undefined) this.crons.set(key, (cron = new CronTicks(row.cron, row.timezone)));
    return cron;
  }
}
