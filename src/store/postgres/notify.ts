// Wake-ups across processes with LISTEN/NOTIFY on the channel "lifeline_<schema>".
//
// NOTIFY is sent AFTER the write committed, as its own statement, not inside the write's
// transaction: PostgreSQL serialises the commits of all notifying transactions behind one lock
// held through their WAL flush, which measured ~650 commits/s at any pool size versus ~4300
// without it (docs/decisions/2026-11-22-postgres-backend.md). Sends are coalesced (one in flight,
// at most one more queued) and run on the soft pool: a notification only makes idle workers
// claim now instead of at their next poll, so a lost one costs latency, never correctness.
import pg from 'pg';
import { Backoff } from '../../time/backoff.js';

export class Notifier {
  private inFlight: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  /** Call after a commit that may have made a run claimable. */
  poke(): void {
    if (this.inFlight !== null) {
      this.again = true;
      return;
    }
    this.inFlight = this.sendLoop();
  }

  private async sendLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pool.query({ name: 'll_notify', text: 'SELECT pg_notify($1, $2)', values: [this.channel, ''] });
      } catch {
        // Best effort: workers fall back to polling, and a closed pool ends the loop here.
      }
    } while (this.again);
    this.inFlight = null;
  }

  /** Resolves once the notifications asked for so far were sent (before closing the pool). */
  async drain(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
  }
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * One dedicated connection LISTENing while anyone subscribed. When it drops (server restart,
 * network), it reconnects with backoff, then calls the listeners once: notifications sent
 * while it was away are lost, so the subscribers look for work anyway.
 */
export class RunnableListener {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly backoff = new Backoff(FIRST_RETRY_MS, MAX_RETRY_MS);
  private generation = 0;

  constructor(
    private readonly config: () => pg.ClientConfig,
    private readonly channel: string,
  ) {}

  subscribe(listener: () => void): () => void {
    const wrapped = () => listener();
    this.listeners.add(wrapped);
    if (this.listeners.size === 1) this.connect(false);
    return () => {
      if (!this.listeners.delete(wrapped)) return;
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** True while the LISTEN connection is up (for tests and diagnostics). */
  get listening(): boolean {
    return this.client !== null;
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private fire(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others still get the wake-up.
      }
    }
  }

  private stop(): void {
    this.generation++;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    if (client !== null) void client.end().catch(() => {});
  }

  private connect(isReconnect: boolean): void {
    const generation = ++this.generation;
    const client = new pg.Client(this.config());
    let dropped = false;
    const onDrop = () => {
      if (dropped) return;
      dropped = true;
      void client.end().catch(() => {});
      if (generation !== this.generation) return; // stopped or superseded
      this.client = null;
      this.scheduleReconnect();
    };
    client.on('error', onDrop);
    client.on('end', onDrop);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.fire();
    });
    client
      .connect()
      .then(() => client.query(`LISTEN "${this.channel}"`))
      .then(() => {
        if (generation !== this.generation || dropped) return void client.end().catch(() => {});
        this.client = client;
        this.backoff.reset();
        if (isReconnect) this.fire();
      })
      .catch(onDrop);
  }

  private scheduleReconnect(): void {
    const delay = this.backoff.next();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.listeners.size > 0) this.connect(true);
    }, delay);
  }
}
