/**
 * The single writer of this process: every write is a function run inside a database transaction, one
 * at a time, in the order run() was called. Writes queued while a transaction runs (or within one turn
 * of the event loop) are group-committed: one transaction for the whole batch, each write inside its own
 * SAVEPOINT, so a write that throws rolls back only itself (its promise rejects, its afterCommit hooks
 * are dropped) and the others commit. Under load (a SIP call reports four steps, each a write) a write
 * arriving within GROUP_WINDOW_MS of the last commit waits for the rest of that window, so each
 * transaction carries several writes, without changing the order of writes or what any single write
 * sees.
 */
import type { DataSource, EntityManager } from 'typeorm';

export interface WriteContext {
  em: EntityManager;
  /** Run after the transaction committed (never if it, or this write's savepoint, rolled back). */
  afterCommit(fn: () => void): void;
}

interface Queued {
  fn: (tx: WriteContext) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Most writes in one group commit; the rest wait for the next transaction. */
const MAX_BATCH = 256;

/**
 * A write arriving within this many ms of the last commit waits out the rest of the window, so that
 * under sustained load (hundreds of call steps per second) each transaction carries several writes;
 * an idle writer starts at the next turn of the event loop. SIP handling never waits for a write, so
 * the window only delays when events reach subscribers.
 */
const GROUP_WINDOW_MS = 5;

/**
 * Every write goes through one Writer: a transaction, serialized within this process. Serializing
 * makes event cursors (autoincrement ids) commit in increasing order, so a reader that has seen cursor
 * N can never later find an event below N appear (no gap for the replay-then-live stream). With
 * several nodes on one MySQL this guarantee needs a cross-node lock; see ARCHITECTURE.md.
 */
export class Writer {
  private queue: Queued[] = [];
  /** A flush is scheduled or running; new writes just join the queue. */
  private busy = false;
  private idleWaiters: Array<() => void> = [];
  private lastCommit = 0;

  constructor(private readonly ds: DataSource) {}

  run<T>(fn: (tx: WriteContext) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.busy) {
        this.busy = true;
        // At least one turn of the event loop: the writes of every message read in this turn share a
        // transaction; under load, the rest of the group window too.
        const wait = GROUP_WINDOW_MS - (performance.now() - this.lastCommit);
        if (wait > 0) setTimeout(() => void this.flush(), wait);
        else setImmediate(() => void this.flush());
      }
    });
  }

  /** Resolves once every write queued so far has finished. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      if (batch.length === 1) await this.single(batch[0]!);
      else await this.group(batch);
      this.lastCommit = performance.now();
    }
    this.busy = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** One write, one transaction (no savepoint). */
  private async single(q: Queued): Promise<void> {
    const hooks: Array<() => void> = [];
    try {
      const result = await this.ds.transaction((em) => q.fn({ em, afterCommit: (h) => hooks.push(h) }));
      for (const h of hooks) h();
      q.resolve(result);
    } catch (err) {
      q.reject(err);
    }
  }

  /** Several writes in one transaction, each in its own savepoint (SQLite and MySQL/InnoDB both have them). */
  private async group(batch: Queued[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown; hooks: Array<() => void> } | { ok: false; err: unknown }> = [];
    try {
      await this.ds.transaction(async (em) => {
        for (const q of batch) {
          const hooks: Array<() => void> = [];
          await em.query('SAVEPOINT hotline_write');
          try {
            const value = await q.fn({ em, afterCommit: (h) => hooks.push(h) });
            await em.query('RELEASE SAVEPOINT hotline_write');
            outcomes.push({ ok: true, value, hooks });
          } catch (err) {
            await em.query('ROLLBACK TO SAVEPOINT hotline_write');
            await em.query('RELEASE SAVEPOINT hotline_write');
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      // The transaction itself failed (commit, connection): nothing of the batch was written.
      for (const q of batch) q.reject(err);
      return;
    }
    batch.forEach((q, i) => {
      const o = outcomes[i]!;
      if (!o.ok) return q.reject(o.err);
      for (const h of o.hooks) h();
      q.resolve(o.value);
    });
  }
}
