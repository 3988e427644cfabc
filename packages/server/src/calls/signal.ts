/**
 * Sending on the B2BUA's dialogs, shared by b2bua.ts, originate.ts, transfer.ts and in-dialog.ts:
 *
 *   - the ACK for a 2xx of an INVITE we sent (RFC 3261 §13.2.2.4): built in the dialog with the INVITE's
 *     CSeq number and a branch of its own, sent outside any transaction (and again for each 2xx
 *     retransmission); it may carry the SDP answer when the 2xx carried the offer (RFC 3264 §4);
 *   - a 2xx retransmission by the UAS core (§13.3.1.4), also outside any transaction;
 *   - BYE (§15.1.1) and other requests whose outcome nobody waits for (CANCEL, NOTIFY): a client
 *     transaction whose timeout or transport error is only logged.
 *
 * A send that fails (egress denied, no connection) is logged and never throws into call handling.
 */
import type { Logger } from 'pino';
import { createInDialogRequest, type Dialog, DialogEvent, transition } from '../sip/dialog.js';
import { getHeader, type SipRequest, type SipResponse } from '../sip/message.js';
import { newBranch } from '../sip/transaction-messages.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { TransportName } from '../sip/transaction-types.js';
import type { TransportSource } from '../sip/transport-connections.js';

export interface SignalPorts {
  layer: Pick<TransactionLayer, 'sendRequest' | 'sendStateless'>;
  /** Our Via value for a transport, with `branch` when given. */
  via(transport: TransportName, branch?: string): string;
  log: Logger;
}

const why = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A message sent outside any transaction (ACK, 2xx retransmission); failures are logged at debug. */
export function sendStateless(p: SignalPorts, message: SipRequest | SipResponse, to: TransportSource, what: string): void {
  try {
    const pending = p.layer.sendStateless(message, to);
    if (pending) pending.catch((err: unknown) => p.log.debug({ err: why(err) }, `${what} not sent`));
  } catch (err) {
    p.log.debug({ err: why(err) }, `${what} not sent`);
  }
}

/** §13.2.2.4: the ACK for the 2xx of the INVITE with CSeq number `seq`, carrying `answer`'s SDP when given. */
export function buildAck(p: SignalPorts, dialog: Dialog, seq: number, answer?: SipRequest | SipResponse): SipRequest {
  const ack = createInDialogRequest(dialog, 'ACK', { via: p.via(dialog.peer.transport, newBranch()) }, seq);
  if (answer) copyBody(answer, ack);
  return ack;
}

/** Build and send the ACK for a 2xx (buildAck); returns it, for resending on a 2xx retransmission. */
export function sendAck(p: SignalPorts, dialog: Dialog, seq: number, answer?: SipRequest | SipResponse): SipRequest {
  const ack = buildAck(p, dialog, seq, answer);
  sendStateless(p, ack, dialog.peer, 'ack');
  return ack;
}

/** A request through a client transaction whose outcome nobody waits for (BYE, CANCEL, NOTIFY). */
export function sendUntracked(p: SignalPorts, request: SipRequest, destination: TransportSource): void {
  try {
    p.layer.sendRequest(request, destination, (event) => {
      if (event.type === 'timeout' || event.type === 'transport-error') {
        p.log.debug({ method: request.method, status: event.response.status }, 'request failed');
      }
    });
  } catch (err) {
    p.log.warn({ method: request.method, err: why(err) }, 'request not sent');
  }
}

/** §15.1.1: end a dialog with BYE. */
export function sendBye(p: SignalPorts, dialog: Dialog): void {
  transition(dialog, DialogEvent.Bye);
  sendUntracked(p, createInDialogRequest(dialog, 'BYE', { via: p.via(dialog.peer.transport) }), dialog.peer);
}

/** Copy a message body with its Content-Type (SDP offers and answers passed end to end). */
export function copyBody(from: SipRequest | SipResponse, to: SipRequest | SipResponse): void {
  if (from.body.length === 0) return;
  const type = getHeader(from, 'Content-Type');
  if (type !== undefined) to.headers.push({ name: 'Content-Type', value: type });
  to.body = Buffer.from(from.body);
}
