// The sliding window of a circuit breaker (Resilience4j's two kinds): the last N calls (count
// based) or the calls of the last T ms (time based, in BUCKETS buckets of T/BUCKETS ms, so a
// call leaves the window up to one bucket late). Running totals make a record O(1) and the
// rates a division; the window serialises to plain JSON for the store-backed breakers.

/** Which calls the rates are computed over. */
export type WindowSpec = { kind: 'count'; size: number } | { kind: 'time'; ms: number };

/** A call's mark in the window: bit 0 failed, bit 1 slow. */
export const FAILED = 1;
export const SLOW = 2;

/** The window as JSON: count windows keep the marks oldest first, time windows their buckets. */
export type WindowData = { marks: number[] } | { buckets: Array<[epoch: number, calls: number, failures: number, slow: number]> };

export interface WindowTotals {
  calls: number;
  failures: number;
  slow: number;
}

export interface OutcomeWindow extends WindowTotals {
  /** Adds one call (marks: FAILED | SLOW bits) at `now`. */
  add(marks: number, now: number): void;
  /** Drops the calls that left the window by `now` (time windows; a no-op for count windows). */
  expire(now: number): void;
  clear(): void;
  toData(): WindowData;
}

const BUCKETS = 10;

class CountWindow implements OutcomeWindow {
  calls = 0;
  failures = 0;
  slow = 0;
  private readonly ring: Uint8Array;
  private next = 0;

  constructor(private readonly size: number) {
    this.ring = new Uint8Array(size);
  }

  add(marks: number): void {
    if (this.calls === this.size) {
      const old = this.ring[this.next] as number;
      this.failures -= old & FAILED;
      this.slow -= (old & SLOW) >> 1;
    } else this.calls++;
    this.ring[this.next] = marks;
    this.failures += marks & FAILED;
    this.slow += (marks & SLOW) >> 1;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }

  expire(): void {}

  clear(): void {
    this.ring.fill(0);
    this.next = this.calls = this.failures = this.slow = 0;
  }

  toData(): WindowData {
    const marks: number[] = [];
    const start = this.calls === this.size ? this.next : 0;
    for (let i = 0; i < this.calls; i++) marks.push(this.ring[(start + i) % this.size] as number);
    return { marks };
  }
}

class TimeWindow implements OutcomeWindow {
  calls = 0;
  failures = 0;
  slow = 0;
  private readonly bucketMs: number;
  private readonly epochs = new Float64Array(BUCKETS).fill(-1);
  private readonly counts = new Float64Array(BUCKETS * 3);

  constructor(ms: number) {
    this.bucketMs = Math.max(1, Math.ceil(ms / BUCKETS));
  }

  add(marks: number, now: number): void {
    const epoch = Math.floor(now / this.bucketMs);
    this.expire(now);
    const slot = epoch % BUCKETS;
    if (this.epochs[slot] !== epoch) this.epochs[slot] = epoch;
    this.bump(slot, 1, marks & FAILED, (marks & SLOW) >> 1);
  }

  expire(now: number): void {
    const oldest = Math.floor(now / this.bucketMs) - BUCKETS + 1;
    for (let slot = 0; slot < BUCKETS; slot++) {
      const epoch = this.epochs[slot] as number;
      if (epoch >= 0 && epoch < oldest) {
        const c = slot * 3;
        this.bump(slot, -(this.counts[c] as number), -(this.counts[c + 1] as number), -(this.counts[c + 2] as number));
        this.epochs[slot] = -1;
      }
    }
  }

  private bump(slot: number, calls: number, failures: number, slow: number): void {
    const c = slot * 3;
    this.counts[c] = (this.counts[c] as number) + calls;
    this.counts[c + 1] = (this.counts[c + 1] as number) + failures;
    this.counts[c + 2] = (this.counts[c + 2] as number) + slow;
    this.calls += calls;
    this.failures += failures;
    this.slow += slow;
  }

  clear(): void {
    this.epochs.fill(-1);
    this.counts.fill(0);
    this.calls = this.failures = this.slow = 0;
  }

  toData(): WindowData {
    const buckets: Array<[number, number, number, number]> = [];
    for (let slot = 0; slot < BUCKETS; slot++) {
      const epoch = this.epochs[slot] as number;
      const c = slot * 3;
      if (epoch >= 0) buckets.push([epoch, this.counts[c] as number, this.counts[c + 1] as number, this.counts[c + 2] as number]);
    }
    return { buckets: buckets.sort((a, b) => a[0] - b[0]) };
  }

  load(buckets: ReadonlyArray<readonly [number, number, number, number]>): void {
    for (const [epoch, calls, failures, slow] of buckets) {
      const slot = epoch % BUCKETS;
      this.epochs[slot] = epoch;
      this.bump(slot, calls, failures, slow);
    }
  }
}

/** An empty window, or one restored from its JSON (data of another kind is ignored: the config changed). */
export function makeWindow(spec: WindowSpec, data?: WindowData): OutcomeWindow {
  if (spec.kind === 'count') {
    const w = new CountWindow(spec.size);
    if (data && 'marks' in data) for (const m of data.marks.slice(-spec.size)) w.add(m);
    return w;
  }
  const w = new TimeWindow(spec.ms);
  if (data && 'buckets' in data) w.load(data.buckets);
  return w;
}

/** Percent (two decimals) of `part` in `calls`; 0 with no calls. */
export function percent(part: number, calls: number): number {
  return calls === 0 ? 0 : Math.round((part * 10_000) / calls) / 100;
}
