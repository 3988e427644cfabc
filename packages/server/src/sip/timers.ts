/**
 * Transaction timers (RFC 3261 §17, Table 4 in Appendix A; RFC 6026 §8.11 adds L and M).
 *
 *   timer  value                         meaning
 *   T1     500 ms                        RTT estimate
 *   T2     4 s                           maximum retransmit interval for non-INVITE requests and INVITE responses
 *   T4     5 s                           maximum duration a message remains in the network
 *   A      initially T1                  INVITE request retransmit interval, unreliable only (§17.1.1.2)
 *   B      64*T1                         INVITE transaction timeout (§17.1.1.2)
 *   D      > 32 s unreliable, 0 reliable wait time for response retransmits (§17.1.1.2)
 *   E      initially T1                  non-INVITE request retransmit interval, unreliable only (§17.1.2.2)
 *   F      64*T1                         non-INVITE transaction timeout (§17.1.2.2)
 *   G      initially T1                  INVITE response retransmit interval, unreliable only (§17.2.1)
 *   H      64*T1                         wait time for ACK receipt (§17.2.1)
 *   I      T4 unreliable, 0 reliable     wait time for ACK retransmits (§17.2.1)
 *   J      64*T1 unreliable, 0 reliable  wait time for non-INVITE request retransmits (§17.2.2)
 *   K      T4 unreliable, 0 reliable     wait time for response retransmits (§17.1.2.2)
 *   L      64*T1                         wait time for accepted INVITE request retransmits (RFC 6026 §7.1)
 *   M      64*T1                         wait time for retransmission of 2xx to INVITE (RFC 6026 §7.2)
 *
 * Timer C (> 3 min, proxy INVITE) is a proxy core timer, not a transaction timer, and is not here.
 */

export interface TimerConfig {
  /** T1, RTT estimate (default 500 ms). */
  t1: number;
  /** T2, cap of the retransmission interval (default 4 s). */
  t2: number;
  /** T4, maximum lifetime of a message in the network (default 5 s). */
  t4: number;
  /** Timer D on unreliable transports: "at least 32 seconds" (§17.1.1.2; default 32 s). */
  d: number;
  /** Delay before an INVITE server transaction sends 100 Trying on its own (§17.2.1: 200 ms). */
  trying: number;
}

export const DEFAULT_TIMER_CONFIG: Readonly<TimerConfig> = Object.freeze({ t1: 500, t2: 4000, t4: 5000, d: 32_000, trying: 200 });

/** The timer values of one transaction; A, E and G are used only when `reliable` is false. */
export interface TransactionTimers {
  reliable: boolean;
  T1: number;
  T2: number;
  T4: number;
  A: number;
  B: number;
  D: number;
  E: number;
  F: number;
  G: number;
  H: number;
  I: number;
  J: number;
  K: number;
  L: number;
  M: number;
  /** 100 Trying delay of an INVITE server transaction (§17.2.1). */
  trying: number;
}

/** Merge a partial configuration over the defaults, checking every value (throws RangeError). */
export function resolveTimerConfig(partial: Partial<TimerConfig> = {}): TimerConfig {
  const cfg: TimerConfig = { ...DEFAULT_TIMER_CONFIG, ...partial };
  for (const [name, value] of Object.entries(cfg)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`SIP timer ${name} must be a finite number of milliseconds >= 0, got ${String(value)}`);
    }
  }
  if (cfg.t1 <= 0) throw new RangeError('SIP timer t1 must be > 0');
  if (cfg.t2 < cfg.t1) throw new RangeError(`SIP timer t2 (${cfg.t2}) must be >= t1 (${cfg.t1})`);
  return cfg;
}

/** Table 4: the timers of a transaction on a reliable (TCP, TLS, SCTP, WS) or unreliable (UDP) transport. */
export function transactionTimers(reliable: boolean, config: Partial<TimerConfig> = {}): TransactionTimers {
  const { t1, t2, t4, d, trying } = resolveTimerConfig(config);
  const t64 = 64 * t1;
  return {
    reliable,
    T1: t1,
    T2: t2,
    T4: t4,
    A: t1,
    B: t64,
    D: reliable ? 0 : d,
    E: t1,
    F: t64,
    G: t1,
    H: t64,
    I: reliable ? 0 : t4,
    J: reliable ? 0 : t64,
    K: reliable ? 0 : t4,
    L: t64,
    M: t64,
    trying,
  };
}
