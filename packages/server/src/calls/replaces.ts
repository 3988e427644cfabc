/**
 * An INVITE with a Replaces header (RFC 3891 §3) arriving at the server: an authenticated agent takes over
 * one of its own answered calls on another device (call move; the agent's phone completing a transfer with
 * Replaces). b2bua.ts hands such an INVITE here after digest authentication and the registered-source check.
 *
 *   1. Replaces names a dialog as the recipient (we) sees it: to-tag = our tag, from-tag = the peer's
 *      (§3; the reverse order is accepted too, as for REFER). Malformed 400; no confirmed dialog of a live
 *      answered call 481 Call/Transaction Does Not Exist (§3: early dialogs are not replaced here).
 *   2. The replaced side must be the INVITing agent's own (another agent's call is 403 Forbidden: §6 leaves
 *      the authorization to local policy); a transfer or re-INVITE running in that call 491.
 *   3. The INVITE's offer is re-INVITEd to the call's other side (Contact: the agent); its 2xx's answer goes
 *      back in our 200 (with our new To tag and a Contact naming the other party); the other side gets its
 *      ACK. An offerless INVITE with Replaces is 488 (its answer would come in an ACK we absorb).
 *   4. The new (UAS) dialog takes the replaced side (`replaced`: a leg with the INVITE as its request; event
 *      `call.transferred` with kind `replaces`), and the replaced dialog gets BYE (§3).
 *   Failure of the re-INVITE: its final status goes to the new INVITE; the call goes on as it was.
 *
 * Not yet: 2xx retransmission of our 200 to a UDP device (§13.3.1.4); replacing an early dialog (call
 * pickup); a CANCEL of the INVITE while the other side is being re-INVITEd leaves that side with the new
 * device's session (the 487 is sent, the re-INVITE is not undone).
 */
import { randomUUID } from 'node:crypto';
import { createInDialogRequest, type Dialog, DialogEvent, DialogState, transition, uasDialog } from '../sip/dialog.js';
import { getCSeq } from '../sip/fields.js';
import { getHeader, type SipRequest } from '../sip/message.js';
import type { InviteServerTransaction } from '../sip/server-transaction.js';
import { newTag } from '../sip/transaction-messages.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { type Call, type CallLeg, CallState, otherSide, type Party, partyOf, type Side, sideDialog, sideName, type TransferInfo } from './call.js';
import type { RelayPorts } from './in-dialog.js';
import { copySdp } from './offerless.js';
import { sendAck } from './signal.js';
import { parseReplaces } from './refer-to.js';
import type { DialogRef } from './transfer.js';

export interface ReplacePorts extends RelayPorts {
  /** The side of a live answered call whose dialog has this Call-ID, our tag and the peer's tag. */
  find(callId: string, localTag: string, remoteTag: string): DialogRef | undefined;
  /** Whether a transfer or a relayed re-INVITE runs in the call. */
  busy(ref: DialogRef): boolean;
  /** Done: `leg` (answered, its UAS dialog) replaces `side`'s dialog; the party stays (b2bua.ts adopt). */
  adopt(call: Call, side: Side, leg: CallLeg, party: Party, info: TransferInfo): void;
}

/** Serve an INVITE with Replaces from the authenticated `agent` (file comment). */
export function replaceDialog(ports: ReplacePorts, tx: InviteServerTransaction, source: TransportSource, agent: string): void {
  const request = tx.request;
  const localTag = newTag();
  const answer = (status: number, reason: string) => void tx.respond(ports.reply(request, status, reason, localTag));
  const r = parseReplaces(getHeader(request, 'Replaces') ?? '');
  if (!r) return answer(400, 'Bad Request: Replaces');
  const ref = ports.find(r.callId, r.toTag, r.fromTag) ?? ports.find(r.callId, r.fromTag, r.toTag);
  const { call, side } = ref ?? {};
  if (!ref || !call || !side || call.state !== CallState.Answered || ref.dialog.state !== DialogState.Confirmed) return answer(481, 'Call/Transaction Does Not Exist');
  const party = partyOf(call, sideName(side));
  if (party.agent !== agent) return answer(403, 'Forbidden: not your call');
  const peer = sideDialog(call, otherSide(side));
  if (!peer || ports.busy(ref)) return answer(491, 'Request Pending');
  if (request.body.length === 0) return answer(488, 'Not Acceptable Here');
  const other = partyOf(call, sideName(otherSide(side))).id;
  const reinvite = createInDialogRequest(peer, 'INVITE', { via: ports.via(peer.peer.transport), contact: ports.contact(party.id, peer.peer.transport) });
  copySdp(request, reinvite);
  const seq = getCSeq(reinvite)?.seq ?? peer.localSeq;
  let done = false;
  const ack = () => sendAck(ports, peer, seq);
  try {
    ports.layer.sendRequest(reinvite, peer.peer, (event) => {
      if (event.type === 'terminated') return;
      const res = event.response;
      if (res.status < 200) return;
      if (res.status < 300 && event.type === 'response') ack();
      if (done) return;
      done = true;
      if (res.status >= 300 || event.type !== 'response') return answer(res.status, res.reason);
      if (tx.lastResponse && tx.lastResponse.status >= 200) return; // cancelled meanwhile (file comment)
      const ok = ports.reply(request, res.status, res.reason, localTag);
      ok.headers.push({ name: 'Contact', value: ports.contact(other, source.transport) });
      copySdp(res, ok);
      tx.respond(ok);
      const dialog = uasDialog(request, localTag, { ...source }, DialogState.Confirmed);
      bye(ports, ref.dialog);
      const leg: CallLeg = {
        id: randomUUID(), contact: dialog.remoteTarget, destination: { ...source }, state: 'answered', status: res.status, invite: request,
        provisional: true, cancelPending: false, dialog,
      };
      ports.log.info({ call: call.id, side, agent }, 'dialog replaced');
      ports.adopt(call, side, leg, party, {
        kind: 'replaces', side: sideName(side), by: agent, from: party.id, to: party.id, transferee: other, referredBy: getHeader(request, 'Referred-By') ?? null, replaced: null,
      });
    });
  } catch (err) {
    ports.log.warn({ call: call.id, err: err instanceof Error ? err.message : String(err) }, 'replaces re-INVITE not sent');
    answer(503, 'Service Unavailable');
  }
}

function bye(ports: ReplacePorts, dialog: Dialog): void {
  transition(dialog, DialogEvent.Bye);
  const request: SipRequest = createInDialogRequest(dialog, 'BYE', { via: ports.via(dialog.peer.transport) });
  try {
    ports.layer.sendRequest(request, dialog.peer, () => {});
  } catch (err) {
    ports.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'BYE not sent');
  }
}
