import type { DataSource, EntityManager } from 'typeorm';

export interface WriteContext {
  em: EntityManager;
  /** Run after the transaction committed (never if it rolled back). */
  afterCommit(fn: () => void): void;
}

/**
 * Every write goes through one Writer: a transaction, serialized within this process. Serializing
 * makes event cursors (autoincrement ids) commit in increasing order, so a reader that has seen cursor
 * N can never later find an event below N appear (no gap for the replay-then-live stream). With
 * several nodes on one MySQL this guarantee needs a cross-node lock; see ARCHITECTURE.md.
 */
export class Writer {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly ds: DataSource) {}

  run<T>(fn: (tx: WriteContext) => Promise<T>): Promise<T> {
    const next = this.tail.then(() => this.runNow(fn));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every write queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }

  private async runNow<T>(fn: (tx: WriteContext) => Promise<T>): Promise<T> {
    const hooks: Array<() => void> = [];
    const result = await this.ds.transaction((em) => fn({ em, afterCommit: (h) => hooks.push(h) }));
    for (const h of hooks) h();
    return result;
  }
}
