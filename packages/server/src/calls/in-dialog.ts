/**
 * In-dialog requests of an answered B2BUA call (calls/b2bua.ts hands them here, BYE aside). The B2BUA is
 * signaling only and passes SDP end to end, so each request is relayed to the other leg as a new request
 * of that leg's dialog (§12.2.1.1: its own CSeq, tags, Request-URI = remote target, our Via and Contact),
 * and the other leg's final answer is relayed back on the originator's transaction:
 *
 *   re-INVITE   (RFC 3261 §14; hold/unhold per RFC 3264 §8.4 with a=sendonly/a=inactive in the SDP, which
 *               passes through unchanged). The relayed leg's 2xx is ACKed by us (§13.2.2.4, every
 *               retransmission too); the originator gets the 2xx with the answer SDP and its ACK is absorbed
 *               (the core ignores ACKs outside transactions). A 3xx-6xx, 408 timeout or 503 transport
 *               error is relayed as is (the client transaction ACKs a non-2xx itself, §17.1.1.3).
 *               Glare (§14.1/§14.2): a re-INVITE while another of the same call is pending gets
 *               491 Request Pending. An offerless re-INVITE is relayed offerless; its 2xx carries the
 *               offer and the originator's ACK (with the answer) is then not relayed: not supported, 488.
 *               Target refresh (§12.2): a Contact in the re-INVITE or its 2xx updates the remote target.
 *   INFO        (RFC 6086, e.g. application/dtmf-relay) relayed with its body; the answer relayed back.
 *   others      (UPDATE, NOTIFY, MESSAGE, REFER, ...): 488 Not Acceptable Here from the caller (b2bua.ts).
 *
 * Requests are sent to the other leg's dialog peer (the packet or binding source), never to a host named
 * in a header (DESIGN.md, security).
 */
import type { Logger } from 'pino';
import { createInDialogRequest, type Dialog } from '../sip/dialog.js';
import { getContacts, getCSeq } from '../sip/fields.js';
import { getHeader, type SipRequest, type SipResponse } from '../sip/message.js';
import type { ServerTransaction } from '../sip/server-transaction.js';
import { newBranch } from '../sip/transaction-messages.js';
import type { ClientEvent, TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import { formatUri } from '../sip/uri.js';
import type { Call } from './call.js';

export type Side = 'inbound' | 'outbound';

/** What the relay needs of the B2BUA. */
export interface RelayPorts {
  layer: Pick<TransactionLayer, 'sendRequest' | 'sendStateless'>;
  /** Our Via value for a transport, with `branch` when given. */
  via(transport: TransportName, branch?: string): string;
  /** Our Contact value for a user on a transport. */
  contact(user: string, transport: TransportName): string;
  /** A response to `request` with our To tag and Server header. */
  reply(request: SipRequest, status: number, reason: string, toTag?: string): SipResponse;
  log: Logger;
}

/** The methods relayed to the other leg. */
export const RELAYED_METHODS: readonly string[] = ['INVITE', 'INFO'];

/** The SDP media direction of a body (session or first media level), for hold/resume logging. */
export function sdpDirection(body: Buffer | string): 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | undefined {
  const m = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(body.toString());
  return m ? (m[1] as 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive') : undefined;
}

export class InDialogRelay {
  /** Calls with a re-INVITE in progress (glare detection). */
  private readonly pending = new WeakSet<Call>();

  constructor(private readonly ports: RelayPorts) {}

  /**
   * Relay `tx` (from `side`, in dialog `from`) to the other leg's dialog `to`; false when the method is not
   * relayed (the caller answers it).
   */
  relay(call: Call, side: Side, from: Dialog, to: Dialog, tx: ServerTransaction): boolean {
    const request = tx.request;
    if (!RELAYED_METHODS.includes(request.method)) return false;
    if (request.method === 'INVITE') {
      if (this.pending.has(call)) {
        tx.respond(this.ports.reply(request, 491, 'Request Pending', from.localTag));
        return true;
      }
      if (request.body.length === 0) {
        // Offerless re-INVITE: the offer would come in our 2xx and the answer in the ACK we absorb.
        tx.respond(this.ports.reply(request, 488, 'Not Acceptable Here', from.localTag));
        return true;
      }
      this.pending.add(call);
      this.refreshTarget(from, request);
    }
    // Our Contact towards each leg names the party on the other side (b2bua.ts newInvite/legAnswered).
    const towards = side === 'inbound' ? call.from : call.to;
    const back = side === 'inbound' ? call.to : call.from;
    const out = createInDialogRequest(to, request.method, {
      via: this.ports.via(to.peer.transport),
      ...(request.method === 'INVITE' ? { contact: this.ports.contact(towards, to.peer.transport) } : {}),
    });
    copyBody(request, out);
    const seq = getCSeq(out)?.seq ?? to.localSeq;
    let answered = false;
    const onEvent = (event: ClientEvent): void => {
      if (event.type === 'terminated') return;
      const res = event.response;
      if (res.status < 200) return;
      if (request.method === 'INVITE' && event.type === 'response' && res.status < 300) {
        this.ack(to, seq);
        if (answered) return; // a retransmitted 2xx: ACKed again, nothing more
        this.refreshTarget(to, res);
        this.logDirection(call, side, request, res);
      }
      if (answered) return;
      answered = true;
      if (request.method === 'INVITE') this.pending.delete(call);
      const relayed = this.ports.reply(request, res.status, res.reason, from.localTag);
      if (request.method === 'INVITE' && res.status < 300) relayed.headers.push({ name: 'Contact', value: this.ports.contact(back, from.peer.transport) });
      copyBody(res, relayed);
      tx.respond(relayed);
    };
    try {
      this.ports.layer.sendRequest(out, to.peer, onEvent);
    } catch (err) {
      this.ports.log.warn({ call: call.id, method: request.method, err: err instanceof Error ? err.message : String(err) }, 'in-dialog request not relayed');
      this.pending.delete(call);
      tx.respond(this.ports.reply(request, 503, 'Service Unavailable', from.localTag));
    }
    return true;
  }

  /** §13.2.2.4: ACK a 2xx of our re-INVITE (CSeq number of the INVITE, a branch of its own). */
  private ack(dialog: Dialog, seq: number): void {
    const ack = createInDialogRequest(dialog, 'ACK', { via: this.ports.via(dialog.peer.transport, newBranch()) }, seq);
    try {
      const sent = this.ports.layer.sendStateless(ack, dialog.peer);
      if (sent) sent.catch((err: unknown) => this.ports.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'ack not sent'));
    } catch (err) {
      this.ports.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'ack not sent');
    }
  }

  /** §12.2: a re-INVITE or its 2xx may carry a new Contact (target refresh). */
  private refreshTarget(dialog: Dialog, m: SipRequest | SipResponse): void {
    const contacts = getContacts(m);
    if (contacts && contacts !== '*' && contacts[0]) dialog.remoteTarget = formatUri(contacts[0].uri);
  }

  private logDirection(call: Call, side: Side, request: SipRequest, res: SipResponse): void {
    const offered = sdpDirection(request.body);
    const state = offered === 'sendonly' || offered === 'inactive' ? 'held' : offered === undefined && sdpDirection(res.body) === undefined ? undefined : 'resumed';
    if (state) this.ports.log.info({ call: call.id, by: side === 'inbound' ? 'caller' : 'callee', direction: offered ?? 'sendrecv' }, `call ${state}`);
  }
}

function copyBody(from: SipRequest | SipResponse, to: SipRequest | SipResponse): void {
  if (from.body.length === 0) return;
  const type = getHeader(from, 'Content-Type');
  if (type !== undefined) to.headers.push({ name: 'Content-Type', value: type });
  to.body = Buffer.from(from.body);
}
