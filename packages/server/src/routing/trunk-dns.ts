/**
 * Host names of trunks (outbound host) resolved to addresses: A, then AAAA when there is no A record
 * (RFC 3263 §4.2: a trunk always has a port, so no SRV lookup applies; its transport is configured, so no
 * NAPTR either).
 * Answers are cached for their TTL (at least 1 s, at most 1 h); a failure is cached for 5 s so a dead
 * DNS server is not asked at every call, and is logged once per failure period. A literal IP address or
 * `localhost` never goes to DNS. Resolution uses node:dns `Resolver` (DNS only, not /etc/hosts), with the
 * servers of the setting `sip.dnsServers` when given, else the system's.
 *
 * `known(host)` is synchronous, for the egress rule: the addresses of the last successful answer, kept
 * past its TTL until a new answer replaces them (a call set up with them may still send BYE).
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../sip/clock.js';
import { normalizeAddress } from '../net.js';

export interface TrunkResolverOptions {
  /** DNS servers (`addr`, `addr:port`, `[v6]:port`); empty or absent: the system's. */
  servers?: readonly string[];
  clock?: Clock;
  log: Logger;
  /** Per-query timeout in ms (default 2000) and tries (default 2). */
  timeoutMs?: number;
  tries?: number;
}

interface Entry {
  addresses: string[];
  /** clock.now() after which the entry is asked again. */
  freshUntil: number;
  ok: boolean;
}

const MIN_TTL_S = 1;
const MAX_TTL_S = 3600;
const NEGATIVE_MS = 5000;

/** A literal IP address (brackets allowed), `localhost` as 127.0.0.1, anything else null (a name to resolve). */
export function literalAddress(host: string): string | null {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(h) !== 0) return normalizeAddress(h);
  return h.toLowerCase() === 'localhost' ? '127.0.0.1' : null;
}

export class TrunkResolver {
  private readonly resolver: Resolver;
  private readonly clock: Clock;
  private readonly cache = new Map<string, Entry>();
  /** Last good addresses per host (for `known`). */
  private readonly lastGood = new Map<string, string[]>();
  private readonly pending = new Map<string, Promise<string[]>>();

  constructor(private readonly opts: TrunkResolverOptions) {
    this.resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: opts.tries ?? 2 });
    if (opts.servers && opts.servers.length > 0) this.resolver.setServers([...opts.servers]);
    this.clock = opts.clock ?? systemClock;
  }

  /** The host's addresses ([] when it cannot be resolved). Never throws. */
  async resolve(host: string): Promise<string[]> {
    const literal = literalAddress(host);
    if (literal) return [literal];
    const key = host.toLowerCase();
    const hit = this.cache.get(key);
    if (hit && hit.freshUntil > this.clock.now()) return hit.addresses;
    let query = this.pending.get(key);
    if (!query) {
      query = this.query(key).finally(() => this.pending.delete(key));
      this.pending.set(key, query);
    }
    return query;
  }

  /** Addresses the host had at its last successful resolution (egress rule); literal hosts as themselves. */
  known(host: string): readonly string[] {
    const literal = literalAddress(host);
    if (literal) return [literal];
    return this.lastGood.get(host.toLowerCase()) ?? [];
  }

  private async query(host: string): Promise<string[]> {
    let records: Array<{ address: string; ttl: number }> = [];
    let failure = '';
    try {
      records = await this.resolver.resolve4(host, { ttl: true });
    } catch (err) {
      failure = (err as NodeJS.ErrnoException).code ?? String(err);
    }
    if (records.length === 0) {
      try {
        records = await this.resolver.resolve6(host, { ttl: true });
      } catch (err) {
        failure ||= (err as NodeJS.ErrnoException).code ?? String(err);
      }
    }
    const now = this.clock.now();
    if (records.length === 0) {
      const was = this.cache.get(host);
      if (!was || was.ok) this.opts.log.warn({ host, reason: failure || 'no A/AAAA records' }, 'trunk host not resolved: trunk skipped for outbound calls');
      this.cache.set(host, { addresses: [], freshUntil: now + NEGATIVE_MS, ok: false });
      return [];
    }
    const ttl = Math.min(MAX_TTL_S, Math.max(MIN_TTL_S, Math.min(...records.map((r) => r.ttl))));
    const addresses = records.map((r) => normalizeAddress(r.address));
    this.cache.set(host, { addresses, freshUntil: now + ttl * 1000, ok: true });
    this.lastGood.set(host, addresses);
    return addresses;
  }

  /** Cancel queries in flight (shutdown). */
  close(): void {
    this.resolver.cancel();
  }
}
