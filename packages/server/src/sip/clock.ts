/**
 * Time for the SIP transaction layer (RFC 3261 §17 timers), injected so the state machines are pure:
 * production uses SystemClock (setTimeout, unref'd so pending retransmissions never keep the process
 * alive), tests use FakeClock and move time by hand, deterministically.
 */

/** Opaque handle of a scheduled timer. */
export type TimerHandle = object;

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number;
  /** Run `fn` once after `ms` milliseconds (0 or less: as soon as possible, never synchronously). */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Cancel a timer; unknown or already fired handles are ignored. */
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: performance.now() and unref'd setTimeout. */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return t;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

export const systemClock: Clock = new SystemClock();

interface FakeTimer {
  due: number;
  /** Creation order: timers due at the same instant fire in the order they were set. */
  seq: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer that falls due within the step,
 * earliest first (ties in creation order), with `now()` equal to each timer's due time while it runs;
 * timers set by those callbacks fire too when they fall within the step.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<TimerHandle, FakeTimer>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const handle = Object.freeze({ fakeTimer: ++this.seq });
    this.timers.set(handle, { due: this.current + Math.max(0, ms), seq: this.seq, fn });
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Number of timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Due time of the next timer, or undefined when none is pending. */
  nextDue(): number | undefined {
    return this.next(Number.POSITIVE_INFINITY)?.[1].due;
  }

  /** Move time forward by `ms` (>= 0), firing due timers in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: ms must be >= 0, got ${ms}`);
    const target = this.current + ms;
    for (let entry = this.next(target); entry; entry = this.next(target)) {
      const [handle, timer] = entry;
      this.timers.delete(handle);
      this.current = timer.due;
      timer.fn();
    }
    this.current = target;
  }

  /** Advance to the next due timer until none is left (at most `maxTimers` firings, against loops). */
  runAll(maxTimers = 100_000): void {
    for (let n = 0; n < maxTimers; n++) {
      const due = this.nextDue();
      if (due === undefined) return;
      this.advance(due - this.current);
    }
    throw new Error(`FakeClock.runAll: still ${this.pending} timer(s) after ${maxTimers} firings`);
  }

  private next(limit: number): [TimerHandle, FakeTimer] | undefined {
    let best: [TimerHandle, FakeTimer] | undefined;
    for (const entry of this.timers) {
      const t = entry[1];
      if (t.due > limit) continue;
      if (!best || t.due < best[1].due || (t.due === best[1].due && t.seq < best[1].seq)) best = entry;
    }
    return best;
  }
}
