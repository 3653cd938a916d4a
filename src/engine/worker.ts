import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { LifelineEvent } from '../store/events.js';
import type { RunRecord } from '../store/types.js';
import type { WorkflowDefinition } from '../workflow/define.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { Backoff } from '../time/backoff.js';
import { RunExecution } from './run-execution.js';
import type { ExecutionOutcome } from './final-writes.js';
import { isPidAlive } from './pid.js';
import { resolveWorkerOptions, type WorkerOptions, type ResolvedWorkerOptions } from '../options/public-options.js';
import { classifyStoreFault } from '../store/store-faults.js';
import { redactMessage } from './stored-error.js';
import type { Worker } from './worker-api.js';
import type { StepGate } from './step-gates.js';
import type { PriceTable } from '../costs/prices.js';
import { startRetention } from '../retention/prune.js';
import { ScheduleFirer } from './schedule-firer.js';
import type { FingerprintRule } from '../insight/fingerprint-rules.js';
import { definitionFor, loadedVersions } from '../workflow/versions.js';
import { WorkerRecorder } from './worker-recorder.js';

/** Pause of claiming after the database ran out of resources: doubles per failure up to the cap. */
const EXHAUSTED_FIRST_PAUSE_MS = 1000;
const EXHAUSTED_MAX_PAUSE_MS = 60_000;

export interface WorkerDeps {
  store: Store;
  clock: Clock;
  workflows: () => WorkflowDefinition[];
  maxPayloadBytes: number;
  prices: PriceTable;
  emit: (event: LifelineEvent) => void;
  onError: (error: unknown, context: string) => void;
  /** Step gates of this worker's Lifeline (shared breakers, limits): see step-gates.ts. */
  gates?: readonly StepGate[];
  /** How failures are grouped (Lifeline.open `insight.fingerprintRules`). */
  fingerprintRules?: readonly FingerprintRule[];
}

type WorkerState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * Claims runnable runs, executes up to `concurrency` of them, heartbeats their leases and
 * takes over runs whose owner on this host died. Recovery of other hosts' runs needs no code
 * here: a lapsed lease makes the run claimable like any other. Apps see it as a `Worker`.
 */
export class WorkerRuntime implements Worker {
  readonly id: string;
  readonly host: string;
  readonly options: ResolvedWorkerOptions;
  private state: WorkerState = 'idle';
  private readonly active = new Map<string, { exec: RunExecution; done: Promise<ExecutionOutcome | undefined> }>();
  private wake: (() => void) | null = null;
  private pokeRequested = false;
  private loop: Promise<void> | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private lastDeadOwnerCheck = -Infinity;
  private readonly wakeTimers = new Set<TimerHandle>();
  private unsubscribe: (() => void) | null = null;
  private stopRetention: (() => void) | null = null;
  /** Resource exhaustion of the database (disk full, ...): no claims before this time. */
  private pausedUntil = -Infinity;
  private readonly exhaustedPause = new Backoff(EXHAUSTED_FIRST_PAUSE_MS, EXHAUSTED_MAX_PAUSE_MS);
  /** Fires the cron schedules of the loaded workflows (schedule-firer.ts). */
  private readonly schedules: ScheduleFirer;
  /** The earliest next tick of a schedule: the loop wakes for it even when pollMs is longer. */
  private nextTick: number | null = null;
  /** This worker's row in the workers table: the versions it loaded (worker-recorder.ts). */
  private readonly recorder: WorkerRecorder;

  constructor(
    private readonly deps: WorkerDeps,
    options: WorkerOptions = {},
  ) {
    this.options = resolveWorkerOptions(options);
    this.host = this.options.host ?? hostname();
    this.id = this.options.workerId ?? `${this.host}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.schedules = new ScheduleFirer({ store: deps.store, clock: deps.clock, workflows: deps.workflows, emit: deps.emit, rescanMs: this.options.pollMs });
    this.recorder = new WorkerRecorder({ store: deps.store, clock: deps.clock, id: this.id, host: this.host, pid: this.options.pid });
  }

  get activeRuns(): number {
    return this.active.size;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`Worker ${this.id} cannot start: it is ${this.state}`);
    this.state = 'running';
    // Backends that can push wake-ups (PostgreSQL LISTEN/NOTIFY) make start latency independent of pollMs.
    this.unsubscribe = this.deps.store.onRunnable?.(() => this.poke()) ?? null;
    this.scheduleHeartbeat();
    if (this.options.retention !== undefined) this.stopRetention = startRetention(this.deps, this.options.retention, (o) => this.reportPrune(o));
    this.loop = this.runLoop();
  }

  /** Asks the loop to claim now (a run was started or woken in this process). */
  /** A schedule was created or removed in this process: read the schedules at once. */
  schedulesChanged(): void {
    this.schedules.rescan();
    this.poke();
  }

  poke(): void {
    this.pokeRequested = true;
    this.wake?.();
  }

  async stop(graceMs = this.options.shutdownGraceMs): Promise<void> {
    if (this.state === 'stopped' || this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.wake?.();
    // Let a claim in flight finish first: the runs it returns are launched and must be given
    // back too, or they would execute on after stop() with no heartbeat.
    await this.loop;
    for (const { exec } of this.active.values()) exec.dispatch({ type: 'shutdown' });
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    let timer: TimerHandle | null = null;
    const graceOver = new Promise<void>((resolve) => (timer = this.deps.clock.setTimer(graceMs, resolve)));
    await Promise.race([all, graceOver]);
    (timer as TimerHandle | null)?.cancel();
    for (const { exec } of this.active.values()) exec.interrupt();
    await all;
    this.heartbeatTimer?.cancel();
    this.stopRetention?.();
    this.unsubscribe?.();
    await this.recorder.forget().catch((error: unknown) => this.deps.onError(error, 'workers'));
    for (const timer of this.wakeTimers) timer.cancel();
    this.wakeTimers.clear();
    this.state = 'stopped';
  }

  private reportPrune(outcome: Parameters<Parameters<typeof startRetention>[2]>[0]): void {
    if ('error' in outcome) {
      this.deps.onError(outcome.error, 'retention prune');
      return;
    }
    const { dryRun: _dry, ...data } = outcome.result;
    this.deps.emit({ type: 'worker.pruned', data, at: this.deps.clock.now() });
  }

  private async runLoop(): Promise<void> {
    while (this.state === 'running') {
      this.pokeRequested = false;
      let claimedAll = false;
      const pausedFor = this.pausedUntil - this.deps.clock.now();
      if (pausedFor > 0) {
        await this.idle(pausedFor, false);
        continue;
      }
      if (this.options.fireSchedules) await this.fireSchedules();
      // Bookkeeping: a database out of resources or unreachable is the claim's to report (it backs off).
      await this.recorder.record(this.deps.workflows()).catch((error: unknown) => {
        const fault = classifyStoreFault(error);
        if (fault !== 'resource' && fault !== 'unavailable') this.deps.onError(error, 'workers');
      });
      try {
        await this.takeOverDeadOwners();
        claimedAll = await this.claimAndLaunch();
      } catch (error) {
        if (classifyStoreFault(error) === 'resource') this.storeExhausted(error);
        else this.deps.onError(error, 'claim');
      }
      if (this.state !== 'running') break;
      if (claimedAll || this.pokeRequested) continue;
      const untilTick = this.nextTick === null ? Infinity : Math.max(0, this.nextTick - this.deps.clock.now());
      await this.idle(Math.min(this.options.pollMs, untilTick), true);
    }
  }

  /** Apart from claiming: a schedule that cannot fire (its store write failed) must not stop claims. */
  private async fireSchedules(): Promise<void> {
    try {
      this.nextTick = await this.schedules.fireDue();
    } catch (error) {
      if (classifyStoreFault(error) === 'resource') this.storeExhausted(error);
      else this.deps.onError(error, 'schedules');
    }
  }

  /** Returns true when it filled all free capacity (there may be more work waiting). */
  private async claimAndLaunch(): Promise<boolean> {
    const capacity = this.options.concurrency - this.active.size;
    if (capacity <= 0) return false;
    const workflows = this.deps.workflows();
    if (workflows.length === 0) return false;
    const claimed = await this.deps.store.claimRuns({
      workerId: this.id,
      host: this.host,
      pid: this.options.pid,
      now: this.deps.clock.now(),
      leaseMs: this.options.leaseMs,
      limit: capacity,
      workflows: [...new Set(workflows.map((w) => w.name))],
      // Only runs pinned to a version loaded here: the others wait for a worker that has theirs.
      versions: loadedVersions(workflows),
      maxClaimsWithoutProgress: this.options.maxClaimsWithoutProgress,
    });
    for (const run of claimed) {
      if (run.status === 'parked') {
        this.deps.emit({ runId: run.id, type: 'run.parked', data: { claims: run.claimsWithoutProgress, error: run.error }, at: this.deps.clock.now() });
        continue;
      }
      const def = definitionFor(workflows, run.workflow, run.version);
      if (def) void this.launch(run, def); // never rejects: failures are reported through onError
    }
    return claimed.length === capacity;
  }

  /** Executes one claimed run. */
  private launch(run: RunRecord, workflow: WorkflowDefinition): Promise<ExecutionOutcome | undefined> {
    const exec = new RunExecution(run, workflow, {
      store: this.deps.store,
      clock: this.deps.clock,
      workerId: this.id,
      host: this.host,
      fingerprintRules: this.deps.fingerprintRules ?? [],
      leaseMs: this.options.leaseMs,
      maxPayloadBytes: this.deps.maxPayloadBytes,
      prices: this.deps.prices,
      emit: this.deps.emit,
      onStoreExhausted: (error) => this.storeExhausted(error),
      ...(this.deps.gates ? { gates: this.deps.gates } : {}),
    });
    const version = run.version === null ? {} : { version: run.version };
    this.deps.emit(exec.event('run.claimed', { workerId: this.id, claimCount: run.claimCount, workflow: run.workflow, ...version }));
    const done = exec.execute().then(
      async (outcome) => {
        if (outcome === 'suspended' && exec.wakeAt !== null) this.scheduleWake(exec.wakeAt);
        if (outcome !== 'lease_lost')
          this.exhaustedPause.reset(); // a final write landed
        // An abandoned run with nothing left running here need not wait for its lease to lapse
        // (best effort: when this write fails too, the lease lapses as it would have).
        else if (exec.abandoned && exec.idle) await this.deps.store.breakLease(run.id, exec.token, this.deps.clock.now()).catch(() => false);
        return outcome;
      },
      (error: unknown) => {
        // A store failure mid-run: the lease will lapse and the run be recovered; say so.
        this.deps.onError(error, `run ${run.id}`);
        if (classifyStoreFault(error) === 'resource') this.storeExhausted(error);
        return undefined;
      },
    );
    const entry = {
      exec,
      done: done.finally(() => {
        this.active.delete(run.id);
        this.wake?.();
      }),
    };
    this.active.set(run.id, entry);
    return entry.done;
  }

  /** A run this worker suspended is woken on time here rather than at the next poll. */
  private scheduleWake(wakeAt: number): void {
    const handle = this.deps.clock.setTimer(Math.max(0, wakeAt - this.deps.clock.now()), () => {
      this.wakeTimers.delete(handle);
      this.poke();
    });
    this.wakeTimers.add(handle);
  }

  /**
   * The database is out of disk, memory or another resource: no run can make progress here, and
   * claiming would only start steps whose results cannot be stored. Stop claiming for a while
   * (doubling up to a cap) and say so; runs already claimed are abandoned by their executions.
   */
  private storeExhausted(error: unknown): void {
    const pauseMs = this.exhaustedPause.next();
    this.pausedUntil = Math.max(this.pausedUntil, this.deps.clock.now() + pauseMs);
    const message = redactMessage(error instanceof Error ? error.message : String(error));
    this.deps.emit({
      type: 'worker.store_exhausted',
      data: { message, pauseMs, text: `the database is out of resources (${message}): this worker stops claiming runs for ${pauseMs} ms` },
      at: this.deps.clock.now(),
    });
  }

  /** Waits `ms` or until poked (`pokable`: a new run, a wake-up; not during a resource pause). */
  private idle(ms: number, pokable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.deps.clock.setTimer(ms, () => finish());
      const finish = () => {
        timer.cancel();
        this.wake = null;
        resolve();
      };
      this.wake = pokable
        ? finish
        : () => {
            if (this.state !== 'running') finish();
          };
    });
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = this.deps.clock.setTimer(this.options.heartbeatMs, () => {
      if (this.state === 'stopped') return;
      this.heartbeatAll().catch((error: unknown) => this.deps.onError(error, 'heartbeat'));
      this.scheduleHeartbeat();
    });
  }

  private async heartbeatAll(): Promise<void> {
    const now = this.deps.clock.now();
    await Promise.all(
      [...this.active.values()].map(async ({ exec }) => {
        const beat = await this.deps.store.heartbeat({ runId: exec.runId, token: exec.token, now, leaseMs: this.options.leaseMs });
        if (!beat.ok) exec.dispatch({ type: 'lease_lost' });
        else if (beat.cancelRequested) exec.dispatch({ type: 'cancel', reason: 'cancel requested' });
      }),
    );
  }

  /**
   * A run whose lease names a process of this host that no longer exists is taken over at
   * once: waiting for the lease to lapse would only add latency to every local crash.
   * (A recycled pid looks alive; then the lease lapse is the backstop.)
   */
  private async takeOverDeadOwners(): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.lastDeadOwnerCheck < this.options.deadOwnerCheckMs) return;
    this.lastDeadOwnerCheck = now;
    const leases = await this.deps.store.listLeasesOnHost(this.host);
    for (const lease of leases) {
      if (lease.pid === this.options.pid || isPidAlive(lease.pid)) continue;
      if (await this.deps.store.breakLease(lease.runId, lease.token, now)) {
        this.deps.emit({ runId: lease.runId, type: 'run.owner_dead', data: { pid: lease.pid, host: this.host }, at: now });
      }
    }
  }
}
