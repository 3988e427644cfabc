/**
 * Offerless INVITEs (RFC 3264 §4: the offer then comes in the 2xx, the answer in the ACK), as third-party
 * call control sends them (RFC 3725 flow I): the B2BUA calls a registered device without SDP, takes the
 * device's offer from its 2xx and answers in the ACK. Used by click-to-call (originate.ts) and by
 * transfers (transfer.ts). Also the SDP helpers of that flow.
 */
import { randomUUID } from 'node:crypto';
import type { Binding } from '../sip/bindings.js';
import { getHeader, SIP_VERSION, type SipRequest, type SipResponse } from '../sip/message.js';
import { newTag } from '../sip/transaction-messages.js';
import type { TransportName } from '../sip/transaction-types.js';
import type { TransportSource } from '../sip/transport-connections.js';
import type { CallLeg } from './call.js';

export interface OfferlessPorts {
  /** Our Via value for a transport (no branch: the transaction layer adds one). */
  via(transport: TransportName): string;
  /** Our Contact value for a user on a transport. */
  contact(user: string, transport: TransportName): string;
}

/**
 * A new outbound leg with an offerless INVITE to binding `b`: From `from` (the party the device will be
 * connected to), To `to`, our Via and Contact, a new Call-ID, CSeq 1; sent to the binding's source, never
 * to the Contact host. `headers` are appended as given (e.g. Referred-By).
 */
export function offerlessLeg(ports: OfferlessPorts, b: Binding, from: string, to: string, headers: Array<{ name: string; value: string }> = []): CallLeg {
  const destination: TransportSource = { ...b.source };
  const via = ports.via(destination.transport);
  const host = /\s(\S+?);/.exec(via)?.[1] ?? 'hotline.invalid';
  const invite: SipRequest = {
    kind: 'request', method: 'INVITE', uri: b.contact, version: SIP_VERSION, body: Buffer.alloc(0),
    headers: [
      { name: 'Via', value: via },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `<sip:${from}@${host}>;tag=${newTag()}` },
      { name: 'To', value: `<sip:${to}@${host}>` },
      { name: 'Call-ID', value: randomUUID() },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: ports.contact(from, destination.transport) },
      { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY' },
      ...headers,
    ],
  };
  return { id: randomUUID(), contact: b.contact, destination, state: 'calling', status: null, invite, provisional: false, cancelPending: false };
}

/** Copy the SDP body (and its Content-Type) of `from` into `to`. */
export function copySdp(from: SipRequest | SipResponse, to: SipRequest | SipResponse): void {
  if (from.body.length === 0) return;
  to.headers.push({ name: 'Content-Type', value: getHeader(from, 'Content-Type') ?? 'application/sdp' });
  to.body = Buffer.from(from.body);
}

/**
 * RFC 3264 §6: an answer rejecting every stream of `offer` (each m= line with port 0). The ACK for an
 * offer in a 2xx must carry an answer even when the session ends right after with BYE.
 */
export function rejectingAnswer(offer: Buffer): Buffer {
  const out: string[] = [];
  for (const line of offer.toString('utf8').split(/\r?\n/)) {
    if (/^[vosct]=/.test(line)) out.push(line);
    else if (line.startsWith('m=')) out.push(line.replace(/^m=(\S+)\s+\d+(\/\d+)?/, 'm=$1 0'));
  }
  return Buffer.from(`${out.join('\r\n')}\r\n`);
}
