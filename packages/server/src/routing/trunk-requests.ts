/**
 * Out-of-dialog requests the server sends to a trunk as a UAC (RFC 3261 §8.1.1): OPTIONS keepalives
 * (trunk-health.ts) and REGISTER (trunk-registration.ts). Request-URI `sip:<host>:<port>` (with
 * `;transport=` for anything but UDP), our Via (the transaction layer adds the branch) and Contact at the
 * bound address of the trunk's transport.
 */
import { randomUUID } from 'node:crypto';
import { SIP_VERSION, type SipRequest } from '../sip/message.js';
import { newTag } from '../sip/transaction-messages.js';
import type { TransportName } from '../sip/transaction-types.js';

export type LocalAddress = (transport: TransportName) => { host: string; port: number } | null;

export interface TrunkTarget {
  host: string;
  port: number;
  transport: TransportName;
}

const bracket = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** `sip:<host>:<port>[;transport=x]` of a trunk. */
export function trunkUri(t: TrunkTarget, user?: string): string {
  return `sip:${user ? `${user}@` : ''}${bracket(t.host)}:${t.port}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`;
}

/** Our host:port for a transport, `hotline.invalid` when that transport has no listener. */
export function localHostPort(local: LocalAddress, transport: TransportName): string {
  const l = local(transport);
  return l ? `${bracket(l.host)}:${l.port}` : 'hotline.invalid';
}

export interface TrunkRequestSpec {
  method: string;
  uri: string;
  from: string;
  to: string;
  callId?: string;
  cseq: number;
  headers?: Array<[string, string]>;
}

/** A request towards the trunk (no body); From gets a new tag unless it has one. */
export function trunkRequest(spec: TrunkRequestSpec, target: TrunkTarget, local: LocalAddress): SipRequest {
  const here = localHostPort(local, target.transport);
  const headers = [
    { name: 'Via', value: `SIP/2.0/${target.transport.toUpperCase()} ${here};rport` },
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: spec.from.includes(';tag=') ? spec.from : `${spec.from};tag=${newTag()}` },
    { name: 'To', value: spec.to },
    { name: 'Call-ID', value: spec.callId ?? randomUUID() },
    { name: 'CSeq', value: `${spec.cseq} ${spec.method}` },
    ...(spec.headers ?? []).map(([name, value]) => ({ name, value })),
  ];
  return { kind: 'request', method: spec.method, uri: spec.uri, version: SIP_VERSION, headers, body: Buffer.alloc(0) };
}
