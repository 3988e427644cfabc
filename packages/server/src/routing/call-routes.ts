/**
 * Calls over trunks and numbers: the B2BUA's `TrunkPort` (calls/trunk-port.ts) from the trunks and
 * numbers tables, the egress rule for trunks (sip/egress.ts), and the targets of the trunks' runtime
 * (keepalive and registration, trunk-runtime.ts).
 *
 *   - Inbound by network: the first enabled trunk (by name) whose inbound CIDRs contain the packet source.
 *   - Inbound by digest: the enabled trunk whose inbound user name is the Proxy-Authorization user (the
 *     B2BUA verifies the digest against its HA1); the source it authenticated from is remembered for
 *     egress (in-dialog requests such as our BYE) for a day, at most 10,000 sources.
 *   - Outbound: enabled trunks by name whose host resolves (a literal IP, `localhost`, or a name resolved
 *     through DNS A/AAAA with TTL caching, trunk-dns.ts; a name that does not resolve skips the trunk with
 *     a log line). The first trunk that is not down (OPTIONS keepalive, trunk-health.ts) wins; when every
 *     usable trunk is down, the first of them is still tried.
 *   - Caller id of an outbound call: the trunk's `defaultCallerId` when set (an extension is not an
 *     external number), else the extension with `stripPrefix` removed and `addPrefix` put in front.
 *   - Egress: the outbound host:port/transport of every enabled trunk (its resolved addresses), any address
 *     inside an enabled trunk's inbound CIDRs (the carrier's networks: BYE to an inbound caller), and the
 *     sources digest trunks authenticated from. The rule is synchronous, so it reads a snapshot.
 *   - The snapshot of enabled trunks is reloaded from the database at every lookup, unless `watch()` was
 *     given the event bus (main.ts does): then it is kept until a `trunk.created|updated|deleted` event
 *     (also emitted by `apply`) says it changed, so an INVITE costs no trunk query.
 */
import type { BlockList } from 'node:net';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { DigestTrunk, InboundTrunk, NumberRoute, OutboundTrunk, TrunkPort } from '../calls/trunk-port.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { NumberRow, TrunkRow } from '../db/entities/index.js';
import { sourceKey } from '../sip/bindings.js';
import type { EgressRule } from '../sip/egress.js';
import type { TransportName } from '../sip/transaction-types.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { inNetworks, networkList, normalizeAddress } from '../net.js';
import { literalAddress, type TrunkResolver } from './trunk-dns.js';
import type { ProbeTarget } from './trunk-health.js';
import type { RegistrationTarget } from './trunk-registration.js';

/** A literal IP address, `localhost` as 127.0.0.1, anything else null (a name: trunk-dns.ts). */
export const trunkAddress = literalAddress;

/** Outbound caller id (file comment). */
export function outboundCallerId(extension: string, rules: Record<string, string> | null): string {
  if (rules?.['defaultCallerId']) return rules['defaultCallerId'];
  const strip = rules?.['stripPrefix'];
  const number = strip && extension.startsWith(strip) ? extension.slice(strip.length) : extension;
  return `${rules?.['addPrefix'] ?? ''}${number}`;
}

interface Snapshot {
  inbound: Array<{ row: TrunkRow; nets: BlockList }>;
  hosts: Array<{ host: string; port: number; transport: string }>;
}

export interface CallRoutesOptions {
  resolver: TrunkResolver;
  /** Whether the keepalive saw the trunk down (trunk-health.ts); default: never. */
  isDown?: (trunk: string) => boolean;
  log: Logger;
}

const DIGEST_SOURCE_TTL_MS = 24 * 3600_000;
const MAX_DIGEST_SOURCES = 10_000;

/** Events after which the trunk snapshot is reloaded. */
const TRUNK_CHANGES = new Set(['trunk.created', 'trunk.updated', 'trunk.deleted']);

export class CallRoutes implements TrunkPort {
  private snapshot: Snapshot = { inbound: [], hosts: [] };
  /** The enabled trunks while watching and nothing changed since they were read; else null. */
  private cached: TrunkRow[] | null = null;
  private watching = false;
  /** Bumped by every change, so a read that raced a change is not kept. */
  private generation = 0;
  /** Sources digest trunks authenticated from (`transport|address|port` -> until, Date.now()). */
  private readonly digestSources = new Map<string, number>();

  constructor(private readonly ds: DataSource, private readonly secrets: SecretBox, private readonly opts: CallRoutesOptions) {}

  /** Keep the trunks between lookups, reloading after trunk changes heard on the event bus (file comment). */
  watch(subscribe: (fn: (e: { type: string }) => void) => () => void): () => void {
    this.watching = true;
    const off = subscribe((e) => {
      if (!TRUNK_CHANGES.has(e.type)) return;
      this.generation++;
      this.cached = null;
    });
    return () => {
      off();
      this.watching = false;
      this.cached = null;
    };
  }

  /** The enabled trunks: the cached ones while watching, else freshly read. */
  private async trunks(): Promise<TrunkRow[]> {
    return this.watching && this.cached ? this.cached : this.refresh();
  }

  /** Reload the enabled trunks (the egress rule's snapshot). */
  async refresh(): Promise<TrunkRow[]> {
    const generation = this.generation;
    const rows = await this.ds.manager.find(TrunkRow, { where: { enabled: true }, order: { name: 'ASC' } });
    if (this.watching && generation === this.generation) this.cached = rows;
    this.snapshot = {
      inbound: rows.map((row) => ({ row, nets: networkList(row.inboundCidrs ?? []) })),
      hosts: rows.map((r) => ({ host: r.host, port: r.port, transport: r.transport })),
    };
    return rows;
  }

  egressRule(): EgressRule {
    return (address: string, port: number, transport: TransportName) => {
      const a = normalizeAddress(address);
      for (const h of this.snapshot.hosts) {
        if (h.port === port && h.transport === transport && this.opts.resolver.known(h.host).includes(a)) return true;
      }
      if (this.snapshot.inbound.some((t) => inNetworks(t.nets, a))) return true;
      const until = this.digestSources.get(sourceKey(transport, a, port));
      return until !== undefined && until > Date.now();
    };
  }

  async inbound(source: TransportSource): Promise<InboundTrunk | null> {
    await this.trunks();
    const hit = this.snapshot.inbound.find((t) => inNetworks(t.nets, source.address));
    return hit ? { name: hit.row.name, maxCalls: hit.row.maxCalls } : null;
  }

  async inboundDigest(username: string): Promise<DigestTrunk | null> {
    const row = await this.ds.manager.findOne(TrunkRow, { where: { enabled: true, inboundUsername: username } });
    if (!row || (!row.inboundHa1Md5 && !row.inboundHa1Sha256)) return null;
    return { name: row.name, maxCalls: row.maxCalls, ha1: { md5: row.inboundHa1Md5, sha256: row.inboundHa1Sha256 } };
  }

  authenticated(_trunk: string, source: TransportSource): void {
    const key = sourceKey(source.transport, source.address, source.port);
    this.digestSources.delete(key);
    this.digestSources.set(key, Date.now() + DIGEST_SOURCE_TTL_MS);
    // Oldest first (insertion order): drop expired entries and keep the map bounded.
    for (const [k, until] of this.digestSources) {
      if (this.digestSources.size <= MAX_DIGEST_SOURCES && until > Date.now()) break;
      this.digestSources.delete(k);
    }
  }

  async number(number: string): Promise<NumberRoute | null> {
    const row = await this.ds.manager.findOne(NumberRow, { where: { number } });
    return row ? { type: row.targetType, key: row.targetKey } : null;
  }

  async outbound(caller: string): Promise<OutboundTrunk | null> {
    let fallback: OutboundTrunk | null = null;
    for (const r of await this.trunks()) {
      if (!r.host) continue;
      const [address] = await this.opts.resolver.resolve(r.host);
      if (!address) continue; // logged by the resolver
      const trunk: OutboundTrunk = {
        name: r.name, maxCalls: r.maxCalls, host: r.host, callerId: outboundCallerId(caller, r.callerId), credentials: this.credentials(r),
        destination: { transport: r.transport as TransportName, address, port: r.port },
      };
      if (!this.opts.isDown?.(r.name)) return trunk;
      fallback ??= trunk;
    }
    if (fallback) this.opts.log.info({ trunk: fallback.name }, 'every usable trunk is down: trying the first');
    return fallback;
  }

  /** Enabled trunks with their outbound destination resolved (OPTIONS keepalive). */
  async probeTargets(): Promise<ProbeTarget[]> {
    const out: ProbeTarget[] = [];
    for (const r of await this.trunks()) {
      const [address] = await this.opts.resolver.resolve(r.host);
      const transport = r.transport as TransportName;
      out.push({ name: r.name, host: r.host, port: r.port, transport, destination: address ? { transport, address, port: r.port } : null });
    }
    return out;
  }

  /** Enabled trunks with `register` and outbound credentials (outbound registration). */
  async registrationTargets(): Promise<RegistrationTarget[]> {
    const out: RegistrationTarget[] = [];
    for (const r of await this.trunks()) {
      const credentials = r.register ? this.credentials(r) : null;
      if (!credentials) continue;
      const [address] = await this.opts.resolver.resolve(r.host);
      const transport = r.transport as TransportName;
      out.push({ name: r.name, host: r.host, port: r.port, transport, credentials, destination: address ? { transport, address, port: r.port } : null });
    }
    return out;
  }

  private credentials(r: TrunkRow): OutboundTrunk['credentials'] {
    if (!r.outboundUsername || !r.outboundSecret) return null;
    try {
      return { username: r.outboundUsername, password: this.secrets.open(r.outboundSecret) };
    } catch {
      this.opts.log.warn({ trunk: r.name }, 'trunk outbound password cannot be decrypted (secret.key changed?)');
      return null;
    }
  }
}
