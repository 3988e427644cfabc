/**
 * Tasks run one at a time in the order they were pushed (the rule engine's events, the callback
 * scheduler's looks). A failing task is reported to `onError` and the next one runs.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly onError: (err: unknown) => void) {}

  push(fn: () => Promise<void>): void {
    this.pending++;
    this.tail = this.tail
      .then(fn)
      .catch((err: unknown) => this.onError(err))
      .finally(() => void this.pending--);
  }

  /** Whether a pushed task has not finished yet. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves when every task pushed so far, and every task those pushed, has run. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
