/**
 * Calls over trunks and numbers: the B2BUA's `TrunkPort` (calls/trunk-port.ts) from the trunks and
 * numbers tables, and the egress rule for trunks (sip/egress.ts).
 *
 *   - Inbound: the first enabled trunk (by name) whose inbound CIDRs contain the packet source. Digest-only
 *     trunks do not take calls yet.
 *   - Outbound: the first enabled trunk by name whose host is usable: a literal IP address or `localhost`
 *     (DNS names, NAPTR/SRV of RFC 3263, are not resolved yet, so such trunks are skipped).
 *   - Caller id of an outbound call: the trunk's `defaultCallerId` when set (an extension is not an
 *     external number), else the extension with `stripPrefix` removed and `addPrefix` put in front.
 *   - Egress: the outbound host:port/transport of every enabled trunk, and any address inside an enabled
 *     trunk's inbound CIDRs (the carrier's networks: BYE to an inbound caller). The rule is synchronous,
 *     so it reads a snapshot refreshed at every lookup (every INVITE through a trunk) and on `refresh()`.
 */
import { BlockList, isIP } from 'node:net';
import type { DataSource } from 'typeorm';
import type { InboundTrunk, NumberRoute, OutboundTrunk, TrunkPort } from '../calls/trunk-port.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { NumberRow, TrunkRow } from '../db/entities/index.js';
import type { EgressRule } from '../sip/egress.js';
import type { TransportName } from '../sip/transaction-types.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { normalizeAddress } from '../sip/transport-via.js';

/** A literal IP address, `localhost` as 127.0.0.1, anything else null (not resolved yet). */
export function trunkAddress(host: string): string | null {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(h) !== 0) return normalizeAddress(h);
  return h.toLowerCase() === 'localhost' ? '127.0.0.1' : null;
}

/** Outbound caller id (file comment). */
export function outboundCallerId(extension: string, rules: Record<string, string> | null): string {
  if (rules?.['defaultCallerId']) return rules['defaultCallerId'];
  const strip = rules?.['stripPrefix'];
  const number = strip && extension.startsWith(strip) ? extension.slice(strip.length) : extension;
  return `${rules?.['addPrefix'] ?? ''}${number}`;
}

function networks(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, prefix] = c.split('/');
    const family = isIP(addr ?? '') === 6 ? 'ipv6' : 'ipv4';
    try {
      if (prefix === undefined) list.addAddress(addr!, family);
      else list.addSubnet(addr!, Number(prefix), family);
    } catch {
      // validated on write (routing/cidr.ts); a bad row never matches
    }
  }
  return list;
}

const contains = (list: BlockList, address: string) => {
  const a = normalizeAddress(address);
  const family = isIP(a) === 6 ? 'ipv6' : 'ipv4';
  return isIP(a) !== 0 && list.check(a, family);
};

interface Snapshot {
  inbound: Array<{ row: TrunkRow; nets: BlockList }>;
  hosts: Array<{ address: string; port: number; transport: string }>;
}

export class CallRoutes implements TrunkPort {
  private snapshot: Snapshot = { inbound: [], hosts: [] };

  constructor(private readonly ds: DataSource, private readonly secrets: SecretBox) {}

  /** Reload the enabled trunks (the egress rule's snapshot). */
  async refresh(): Promise<TrunkRow[]> {
    const rows = await this.ds.manager.find(TrunkRow, { where: { enabled: true }, order: { name: 'ASC' } });
    const hosts: Snapshot['hosts'] = [];
    for (const r of rows) {
      const address = trunkAddress(r.host);
      if (address) hosts.push({ address, port: r.port, transport: r.transport });
    }
    this.snapshot = { inbound: rows.map((row) => ({ row, nets: networks(row.inboundCidrs ?? []) })), hosts };
    return rows;
  }

  egressRule(): EgressRule {
    return (address: string, port: number, transport: TransportName) => {
      const a = normalizeAddress(address);
      if (this.snapshot.hosts.some((h) => h.address === a && h.port === port && h.transport === transport)) return true;
      return this.snapshot.inbound.some((t) => contains(t.nets, a));
    };
  }

  async inbound(source: TransportSource): Promise<InboundTrunk | null> {
    await this.refresh();
    const hit = this.snapshot.inbound.find((t) => contains(t.nets, source.address));
    return hit ? { name: hit.row.name, maxCalls: hit.row.maxCalls } : null;
  }

  async number(number: string): Promise<NumberRoute | null> {
    const row = await this.ds.manager.findOne(NumberRow, { where: { number } });
    return row ? { type: row.targetType, key: row.targetKey } : null;
  }

  async outbound(caller: string): Promise<OutboundTrunk | null> {
    for (const r of await this.refresh()) {
      const address = trunkAddress(r.host);
      if (!address || !r.host) continue;
      let credentials: OutboundTrunk['credentials'] = null;
      if (r.outboundUsername && r.outboundSecret) {
        try {
          credentials = { username: r.outboundUsername, password: this.secrets.open(r.outboundSecret) };
        } catch {
          credentials = null;
        }
      }
      return {
        name: r.name, maxCalls: r.maxCalls, host: r.host, callerId: outboundCallerId(caller, r.callerId), credentials,
        destination: { transport: r.transport as TransportName, address, port: r.port },
      };
    }
    return null;
  }
}
