/**
 * Brute-force protection for SIP digest authentication: per source address (the packet's source, never
 * a header), count authentication failures in a sliding window; too many ban the address for a while,
 * and a banned address is rejected before any processing. Memory is bounded on both maps (addresses
 * with failures, banned addresses), oldest evicted first; expired state is pruned as time passes.
 * All time comes from the injected Clock.
 *
 * Single-node state: with several nodes behind a SIP load balancer each node bans on its own (an
 * attacker spread over N nodes gets up to N x maxFailures tries per window). Sharing bans across nodes
 * (Redis) is the scale-out path; nothing here assumes otherwise.
 */
import { type Clock, systemClock } from './clock.js';

export interface FailureTrackerOptions {
  clock?: Clock;
  /** Failures within the window that ban an address (default 10). */
  maxFailures?: number;
  /** Sliding window in ms (default 60 s). */
  windowMs?: number;
  /** Ban duration in ms (default 10 min). */
  banMs?: number;
  /** Most addresses with failures remembered (default 100k); the least recently failed go first. */
  maxTracked?: number;
  /** Most bans kept (default 100k); the oldest ban is lifted first. */
  maxBans?: number;
  /** Called when an address gets banned (not for failures of an address banned already); must not throw. */
  onBan?: (ban: BanEntry) => void;
}

export interface BanEntry {
  ip: string;
  /** Clock time (ms) at which the ban ends. */
  until: number;
  /** Failures that led to the ban. */
  failures: number;
}

/** Canonical form of an address: lower case, IPv4-mapped IPv6 (::ffff:a.b.c.d) as plain IPv4. */
export function normalizeIp(ip: string): string {
  const lower = ip.trim().toLowerCase();
  const mapped = /^(?:\[)?::ffff:(\d{1,3}(?:\.\d{1,3}){3})(?:\])?$/.exec(lower);
  return mapped ? mapped[1] : lower.replace(/^\[(.*)\]$/, '$1');
}

export class FailureTracker {
  private readonly clock: Clock;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly banMs: number;
  private readonly maxTracked: number;
  private readonly maxBans: number;
  private readonly onBan: ((ban: BanEntry) => void) | undefined;
  /** Failure times within the window per address; Map order = least recently failed first. */
  private readonly failures = new Map<string, number[]>();
  /** Bans; Map order = order of banning (banMs is constant, so also order of expiry). */
  private readonly bans = new Map<string, BanEntry>();

  constructor(opts: FailureTrackerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.maxFailures = Math.max(1, opts.maxFailures ?? 10);
    this.windowMs = opts.windowMs ?? 60_000;
    this.banMs = opts.banMs ?? 600_000;
    this.maxTracked = Math.max(1, opts.maxTracked ?? 100_000);
    this.maxBans = Math.max(1, opts.maxBans ?? 100_000);
    this.onBan = opts.onBan;
  }

  /** Count one failure; returns the ban if this failure caused one (or the address was banned already). */
  recordFailure(ip: string): { until: number } | null {
    const key = normalizeIp(ip);
    const banned = this.isBanned(key);
    if (banned) return banned;
    const now = this.clock.now();
    this.prune(now);
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    times.push(now);
    this.failures.delete(key);
    if (times.length >= this.maxFailures) return this.ban(key, now, times.length);
    this.failures.set(key, times);
    while (this.failures.size > this.maxTracked) this.failures.delete(this.failures.keys().next().value as string);
    return null;
  }

  /** A successful authentication forgets the address's failures (an existing ban stays). */
  recordSuccess(ip: string): void {
    this.failures.delete(normalizeIp(ip));
  }

  /** The ban on this address, or null (expired bans are removed here). */
  isBanned(ip: string): { until: number } | null {
    const key = normalizeIp(ip);
    const entry = this.bans.get(key);
    if (entry === undefined) return null;
    if (entry.until > this.clock.now()) return { until: entry.until };
    this.bans.delete(key);
    return null;
  }

  /** Current bans, soonest to expire first (for `hotline security bans`). */
  list(): BanEntry[] {
    this.prune(this.clock.now());
    return [...this.bans.values()].map((b) => ({ ...b })).sort((a, b) => a.until - b.until);
  }

  /** Lift a ban and forget the failures; false if the address was neither banned nor tracked. */
  unban(ip: string): boolean {
    const key = normalizeIp(ip);
    const had = this.bans.delete(key);
    return this.failures.delete(key) || had;
  }

  /** Addresses currently held in memory (failures + bans), for metrics and tests. */
  get size(): { tracked: number; banned: number } {
    return { tracked: this.failures.size, banned: this.bans.size };
  }

  private ban(key: string, now: number, failures: number): { until: number } {
    const until = now + this.banMs;
    this.bans.delete(key);
    this.bans.set(key, { ip: key, until, failures });
    while (this.bans.size > this.maxBans) this.bans.delete(this.bans.keys().next().value as string);
    this.onBan?.({ ip: key, until, failures });
    return { until };
  }

  /** Drop expired bans and addresses whose last failure left the window (both maps are time-ordered). */
  private prune(now: number): void {
    for (const [key, entry] of this.bans) {
      if (entry.until > now) break;
      this.bans.delete(key);
    }
    for (const [key, times] of this.failures) {
      if (times[times.length - 1] > now - this.windowMs) break;
      this.failures.delete(key);
    }
  }
}

/**
 * User-Agent substrings of known SIP scanners and war-dialers (case-insensitive). Deliberately absent:
 * sipsak and Ozeki (legitimate test tool and SDK) and SIPp (our own test suite uses it).
 */
export const SCANNER_USER_AGENTS: readonly string[] = [
  'friendly-scanner', // SIPVicious svmap/svwar default
  'sipvicious', // SIPVicious suite
  'sipcli', // sipcli brute-forcer
  'sip-scan', // sip-scan
  'iwar', // iWar war-dialer
  'sivus', // SiVuS scanner
  'vaxsipuseragent', // VaxSIPUserAgent, common in brute-force floods
  'pplsip', // pplsip scanner
  'sundayddr', // sundayddr worm
  'smap', // smap SIP fingerprinting
];

/** True if the User-Agent (or Server) value names a known SIP scanner. */
export function isScanner(userAgent: string | undefined | null): boolean {
  if (!userAgent) return false;
  const ua = userAgent.toLowerCase();
  return SCANNER_USER_AGENTS.some((s) => ua.includes(s));
}
