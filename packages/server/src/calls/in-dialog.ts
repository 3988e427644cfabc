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
 *               Hold (RFC 3264 §8.4; RFC 2543 c=0.0.0.0): when the re-INVITE's 2xx arrives, its offer decides
 *               whether the originator's side holds the call: the first audio stream's direction (media
 *               level, else session level, else sendrecv) sendonly/inactive, or its connection address
 *               0.0.0.0. A change is reported (`onHold`: events call.held / call.resumed, by caller|callee).
 *               A re-INVITE while a transfer runs in the call gets 491 (b2bua.ts).
 *   INFO        (RFC 6086, e.g. application/dtmf-relay) relayed with its body; the answer relayed back.
 *   REFER       transfer (transfer.ts, from either side).
 *   others      (UPDATE, NOTIFY, MESSAGE, ...): 488 Not Acceptable Here (b2bua.ts).
 *
 * Requests are sent to the other leg's dialog peer (the packet or binding source), never to a host named
 * in a header (DESIGN.md, security).
 */
import type { Logger } from 'pino';
import { createInDialogRequest, type Dialog } from '../sip/dialog.js';
import { getContacts, getCSeq } from '../sip/fields.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { ServerTransaction } from '../sip/server-transaction.js';
import type { ClientEvent, TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import { formatUri } from '../sip/uri.js';
import { type Call, type CallSide, type Side, sideName } from './call.js';
import { copyBody, sendAck } from './signal.js';

export type { Side } from './call.js';

/** What the relay needs of the B2BUA. */
export interface RelayPorts {
  layer: Pick<TransactionLayer, 'sendRequest' | 'sendStateless'>;
  /** Our Via value for a transport, with `branch` when given. */
  via(transport: TransportName, branch?: string): string;
  /** Our Contact value for a user on a transport. */
  contact(user: string, transport: TransportName): string;
  /** A response to `request` with our To tag and Server header. */
  reply(request: SipRequest, status: number, reason: string, toTag?: string): SipResponse;
  /** Side `by` put the call on hold (`held`) or took it off hold. */
  onHold(call: Call, by: CallSide, held: boolean): void;
  log: Logger;
}

/** The methods relayed to the other leg. */
export const RELAYED_METHODS: readonly string[] = ['INVITE', 'INFO'];

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * The hold state an SDP offer asks for (file comment): the first audio stream (else the first stream) with
 * its direction (RFC 3264 §6.1: media level over session level, default sendrecv) and connection address
 * (media level over session level). undefined when the body has no media description.
 */
export function sdpHold(body: Buffer | string): { direction: SdpDirection; held: boolean } | undefined {
  const lines = body.toString().split(/\r?\n/);
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  if (firstMedia < 0) return undefined;
  const audio = lines.findIndex((l) => l.startsWith('m=audio '));
  const start = audio >= 0 ? audio : firstMedia;
  const next = lines.findIndex((l, i) => i > start && l.startsWith('m='));
  const media = lines.slice(start + 1, next < 0 ? undefined : next);
  const session = lines.slice(0, firstMedia);
  const attr = (ls: string[]) => ls.map((l) => /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(l)?.[1]).find((d) => d !== undefined) as SdpDirection | undefined;
  const conn = (ls: string[]) => ls.find((l) => l.startsWith('c='));
  const direction = attr(media) ?? attr(session) ?? 'sendrecv';
  const address = (conn(media) ?? conn(session) ?? '').trim().split(/\s+/)[2];
  return { direction, held: direction === 'sendonly' || direction === 'inactive' || address === '0.0.0.0' };
}

export class InDialogRelay {
  /** Calls with a re-INVITE in progress (glare detection). */
  private readonly pending = new WeakSet<Call>();

  constructor(private readonly ports: RelayPorts) {}

  /** Whether a relayed re-INVITE of this call awaits its answer. */
  busy(call: Call): boolean {
    return this.pending.has(call);
  }

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
        this.holdState(call, side, request);
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
    sendAck(this.ports, dialog, seq);
  }

  /** §12.2: a re-INVITE or its 2xx may carry a new Contact (target refresh). */
  private refreshTarget(dialog: Dialog, m: SipRequest | SipResponse): void {
    const contacts = getContacts(m);
    if (contacts && contacts !== '*' && contacts[0]) dialog.remoteTarget = formatUri(contacts[0].uri);
  }

  /** The originator's side holds the call, or no longer does (file comment): report a change. */
  private holdState(call: Call, side: Side, request: SipRequest): void {
    const offer = sdpHold(request.body);
    if (!offer) return;
    const by = sideName(side);
    const held = (call.held ??= { caller: false, callee: false });
    if (held[by] === offer.held) return;
    held[by] = offer.held;
    this.ports.log.info({ call: call.id, by, direction: offer.direction }, offer.held ? 'call held' : 'call resumed');
    this.ports.onHold(call, by, offer.held);
  }
}
