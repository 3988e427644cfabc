/**
 * The B2BUA's own timers (transaction timers live in sip/timers.ts), on an injected Clock so tests move
 * time by hand (sip/clock.ts FakeClock) instead of waiting:
 *
 *   2xx retransmission   RFC 3261 §13.3.1.4: the UAS core retransmits its 2xx to an INVITE over an
 *                        unreliable transport, first after T1, the interval doubling up to T2, until the
 *                        ACK arrives; no ACK within 64*T1: `expired` (the B2BUA ends the call with BYE,
 *                        "the session SHOULD be terminated"). Never over TCP/TLS/WS (reliable).
 *   Timer C              RFC 3261 §16.6 step 11 / §16.7 step 2, applied to the B2BUA's outbound INVITE
 *                        legs: > 3 min (180 s), restarted by every provisional response; when it fires the
 *                        leg is given up (CANCEL after a provisional, else a 408). After the CANCEL,
 *                        §9.1: no final answer within 64*T1 and the leg counts as failed (408).
 *
 * State per key is a tiny table:
 *
 *   AnswerTimers    (none) --start--> Retransmitting --ack/stop--> (none)
 *                                      Retransmitting --T fires--> Retransmitting (send, interval min(2I,T2))
 *                                      Retransmitting --64*T1--> (none) + expired()
 *   LegTimers       (none) --arm--> Running --provisional--> Running (restart C)
 *                                   Running --fires--> (none) + fired()
 *                                   Running --stop--> (none)
 */
import { type Clock, systemClock, type TimerHandle } from '../sip/clock.js';

export interface CallTimerOptions {
  /** Time source (default: the system clock; tests pass a FakeClock). */
  clock?: Clock;
  /** T1 (default 500 ms): first 2xx retransmission interval; 64*T1 bounds the wait for the ACK. */
  t1?: number;
  /** T2 (default 4 s): cap of the 2xx retransmission interval. */
  t2?: number;
  /** Timer C (default 180 s, "greater than 3 minutes"). */
  timerC?: number;
}

export interface ResolvedCallTimers {
  clock: Clock;
  t1: number;
  t2: number;
  timerC: number;
}

export const DEFAULT_CALL_TIMERS = Object.freeze({ t1: 500, t2: 4000, timerC: 180_000 });

export function resolveCallTimers(o: CallTimerOptions = {}): ResolvedCallTimers {
  const r = { clock: o.clock ?? systemClock, t1: o.t1 ?? DEFAULT_CALL_TIMERS.t1, t2: o.t2 ?? DEFAULT_CALL_TIMERS.t2, timerC: o.timerC ?? DEFAULT_CALL_TIMERS.timerC };
  for (const k of ['t1', 't2', 'timerC'] as const) {
    if (!Number.isFinite(r[k]) || r[k] <= 0) throw new RangeError(`call timer ${k} must be a positive number of milliseconds, got ${String(r[k])}`);
  }
  if (r.t2 < r.t1) throw new RangeError(`call timer t2 (${r.t2}) must be >= t1 (${r.t1})`);
  return r;
}

interface Retransmitting {
  timer: TimerHandle;
  deadline: TimerHandle;
  interval: number;
}

/** §13.3.1.4: 2xx retransmissions until the ACK, per key (a call). */
export class AnswerTimers<K extends object> {
  private readonly live = new Map<K, Retransmitting>();

  constructor(private readonly t: ResolvedCallTimers) {}

  /** Start retransmitting: `send` at T1, 2*T1, ... (capped at T2); `expired` at 64*T1 without an ACK. */
  start(key: K, send: () => void, expired: () => void): void {
    this.stop(key);
    const { clock, t1, t2 } = this.t;
    const state: Retransmitting = {
      interval: t1,
      timer: clock.setTimer(t1, () => fire()),
      deadline: clock.setTimer(64 * t1, () => {
        this.stop(key);
        expired();
      }),
    };
    const fire = (): void => {
      if (this.live.get(key) !== state) return;
      send();
      state.interval = Math.min(2 * state.interval, t2);
      state.timer = clock.setTimer(state.interval, () => fire());
    };
    this.live.set(key, state);
  }

  /** The ACK arrived (or the call ended): stop. Returns whether retransmissions were running. */
  stop(key: K): boolean {
    const s = this.live.get(key);
    if (!s) return false;
    this.t.clock.clearTimer(s.timer);
    this.t.clock.clearTimer(s.deadline);
    this.live.delete(key);
    return true;
  }

  /** Whether the 2xx for `key` still waits for its ACK. */
  waiting(key: K): boolean {
    return this.live.has(key);
  }

  /** Stop everything (shutdown). */
  clear(): void {
    for (const key of [...this.live.keys()]) this.stop(key);
  }
}

/** One timer per key (an outbound leg): Timer C, and the §9.1 wait for the final answer after a CANCEL. */
export class LegTimers<K extends object> {
  private readonly live = new Map<K, { handle: TimerHandle; fired: () => void; ms: number }>();

  constructor(private readonly t: ResolvedCallTimers) {}

  /** (Re)arm the timer of `key`: `fired` after `ms` (default Timer C). */
  arm(key: K, fired: () => void, ms = this.t.timerC): void {
    this.stop(key);
    const entry = {
      fired, ms,
      handle: this.t.clock.setTimer(ms, () => {
        if (this.live.get(key) !== entry) return;
        this.live.delete(key);
        fired();
      }),
    };
    this.live.set(key, entry);
  }

  /** §16.7 step 2: a provisional response restarts Timer C (no-op when the key has no timer). */
  restart(key: K): void {
    const e = this.live.get(key);
    if (e) this.arm(key, e.fired, e.ms);
  }

  stop(key: K): void {
    const e = this.live.get(key);
    if (!e) return;
    this.t.clock.clearTimer(e.handle);
    this.live.delete(key);
  }

  armed(key: K): boolean {
    return this.live.has(key);
  }

  clear(): void {
    for (const key of [...this.live.keys()]) this.stop(key);
  }
}
