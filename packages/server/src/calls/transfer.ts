/**
 * Transfer by REFER (RFC 3515) in an answered B2BUA call, from either side. The referrer (an agent's side:
 * the caller's inbound dialog or the callee's leg) asks us to connect the other side (the transferee) to a
 * target; the transferee keeps its dialog with us, and the target's dialog replaces the referrer's on the
 * referrer's side. The B2BUA passes SDP end to end, so the media is renegotiated third-party-call-control
 * style (RFC 3725 flow I shape: an offerless INVITE, its offer re-INVITEd to the transferee, the answer in
 * the ACK).
 *
 * Blind (RFC 5589 §6), `Refer-To: <sip:<ext>@...>` naming an agent:
 *   1. REFER answered 202 Accepted; NOTIFY (Event: refer, message/sipfrag `SIP/2.0 100 Trying`) to the referrer.
 *   2. An offerless INVITE (From: the transferee's party; Referred-By copied) to every registered contact of
 *      the target (fork: first 2xx wins, the others are CANCELled after their first provisional; a late
 *      2xx is ACKed and ended with BYE).
 *   3. The target's 2xx carries an offer: a re-INVITE carries it to the transferee; the transferee's 2xx
 *      carries the answer: ACK to the transferee, ACK (with the answer) to the target.
 *   4. NOTIFY `SIP/2.0 200 OK` (Subscription-State: terminated) and BYE to the referrer; the B2BUA adopts
 *      the target's leg on the referrer's side (`adopt`: from/to, agents, legs; event call.transferred).
 *   Failure (target unknown or the transferee itself 404, at its call limit 486, unregistered 480, every
 *   fork failed, the transferee refused the new offer): NOTIFY with that final status as sipfrag
 *   (terminated); the original call goes on untouched.
 *
 * Attended (RFC 5589 §7, RFC 3891): `Refer-To: <sip:<C>@...?Replaces=<call-id>%3Bto-tag%3D..%3Bfrom-tag%3D..>`
 * where Replaces names the referrer's dialog of another answered call (the consultation call) as the
 * referrer sees it (to-tag = our tag, from-tag = the referrer's; the reverse order is accepted too). The
 * referrer's agent must be a party of both calls.
 *   1. 202 and NOTIFY 100 as above.
 *   2. An offerless re-INVITE to the consultation call's other party (C); its 2xx's offer is re-INVITEd to
 *      the transferee; the transferee's answer goes in the ACK to C.
 *   3. NOTIFY 200 (terminated), BYE to both of the referrer's dialogs; `merge`: the consultation call ends
 *      (hung up by the referrer's side there, 200, reason `transferred`), the first call goes on with C's
 *      dialog on the referrer's side (event call.transferred with `replaced` = the consultation call).
 *   Failure: Replaces naming no dialog of a live answered call of the referrer: NOTIFY 481; C or the
 *   transferee refusing: that status; both calls go on (a refused transferee leaves C's offer answered by an
 *   empty ACK: C keeps its previous session).
 *
 * While a transfer runs, a REFER in either call gets 491 Request Pending (and re-INVITEs too; a REFER while
 * a relayed re-INVITE is pending also gets 491: b2bua.ts). A BYE from the referrer meanwhile (in the call,
 * or in the consultation call) releases only that dialog (`released`): the transfer goes on (without
 * NOTIFYs); should it fail, whoever was left alone is hung up (`abandon`). A call that ends meanwhile
 * cancels the transfer (`ended`: the target's ringing legs are CANCELled, an answered one gets ACK and BYE).
 *
 * An INVITE with Replaces arriving at the server is replaces.ts. Not yet: REFER with method parameters or
 * other URI headers (ignored), NOTIFY for provisional responses (180).
 */
import type { Binding } from '../sip/bindings.js';
import { createInDialogRequest, type Dialog, DialogState, uacDialog } from '../sip/dialog.js';
import { getCSeq } from '../sip/fields.js';
import { getHeader, SIP_VERSION, type SipRequest, type SipResponse } from '../sip/message.js';
import type { ServerTransaction } from '../sip/server-transaction.js';
import type { ClientEvent } from '../sip/transaction-types.js';
import type { TransportSource } from '../sip/transport-connections.js';
import {
  type Call, type CallLeg, CallState, cancelLeg, cancelRequest, otherSide, type Party, partyOf, type Side, sideDialog, sideName, type TransferInfo,
} from './call.js';
import type { RelayPorts } from './in-dialog.js';
import { copySdp, offerlessLeg } from './offerless.js';
import { sendAck, sendBye, sendUntracked } from './signal.js';
import { parseReferTo, type Replaces } from './refer-to.js';

/** One side of a live answered call with its confirmed dialog. */
export interface DialogRef {
  call: Call;
  side: Side;
  dialog: Dialog;
}

export interface TransferPorts extends RelayPorts {
  bindings(extension: string): Binding[];
  exists(extension: string): Promise<boolean>;
  /** Whether the agent is at its concurrent call limit. */
  busy(extension: string): boolean;
  /** The side of a live answered call whose dialog has this Call-ID, our tag and the peer's tag. */
  find(callId: string, localTag: string, remoteTag: string): DialogRef | undefined;
  /** Blind transfer done: `leg` (answered, with its dialog) replaces `side`'s dialog; `party` its party. */
  adopt(call: Call, side: Side, leg: CallLeg, party: Party, info: TransferInfo): void;
  /** Attended transfer done: the other party of `consult` replaces `referrer`'s; `consult.call` ends. */
  merge(referrer: DialogRef, consult: DialogRef, info: TransferInfo): void;
  /** The referrer left during a transfer that then failed: hang the transferee up. */
  abandon(call: Call, side: Side): void;
}

type Fork = { leg: CallLeg; done: boolean };

/** One running transfer. */
interface Transfer {
  referrer: DialogRef;
  transferee: Dialog;
  info: TransferInfo;
  /** The referrer sent BYE meanwhile: no more NOTIFYs or BYE to it. */
  gone: boolean;
  consult?: DialogRef;
  /** Attended: the referrer sent BYE in the consultation call meanwhile. */
  consultGone?: boolean;
  /** Blind: the target's legs (CANCELled when the call ends meanwhile). */
  forks?: Fork[];
}

export class Transfers {
  /** Running transfers by call (an attended one under both calls). */
  private readonly running = new Map<Call, Transfer>();

  constructor(private readonly ports: TransferPorts) {}

  /** Whether a transfer runs in this call. */
  busy(call: Call): boolean {
    return this.running.has(call);
  }

  /**
   * BYE from `side` of `call`: true when it is the referrer of a running transfer, in the call or in the
   * consultation call (its dialog alone ends; the caller answers the BYE and forgets the dialog), false
   * when the BYE ends the call as usual.
   */
  released(call: Call, side: Side): boolean {
    const t = this.running.get(call);
    if (t && t.referrer.call === call && t.referrer.side === side) return (t.gone = true);
    if (t && t.consult?.call === call && t.consult.side === side) return (t.consultGone = true);
    return false;
  }

  /** `call` ended (b2bua.ts): a transfer in it gives up ringing the target (§9.1 CANCEL; see `cancelled`). */
  ended(call: Call): void {
    for (const f of this.running.get(call)?.forks ?? []) if (!f.done) this.stop(f.leg);
  }

  /** REFER from `ref` (a side of an answered call, its dialog). */
  refer(ref: DialogRef, tx: ServerTransaction): void {
    const { call, side, dialog: from } = ref;
    const request = tx.request;
    const answer = (status: number, reason: string) => void tx.respond(this.ports.reply(request, status, reason, from.localTag));
    const target = parseReferTo(getHeader(request, 'Refer-To'));
    if (target === undefined) return answer(400, 'Bad Request: Refer-To');
    const consult = target.replaces ? this.consultation(ref, target.replaces) : undefined;
    if (this.running.has(call) || (consult && this.running.has(consult.call))) return answer(491, 'Request Pending');
    const referrer = partyOf(call, sideName(side));
    const transferee = sideDialog(call, otherSide(side));
    if (referrer.agent === null) return answer(403, 'Forbidden: only an agent transfers');
    if (!transferee) return answer(488, 'Not Acceptable Here');
    const referredBy = getHeader(request, 'Referred-By') ?? null;
    const info: TransferInfo = {
      kind: target.replaces ? 'attended' : 'blind', side: sideName(side), by: referrer.agent, from: referrer.id, to: target.user,
      transferee: partyOf(call, sideName(otherSide(side))).id, referredBy, replaced: consult?.call.id ?? null,
    };
    const t: Transfer = { referrer: ref, transferee, info, gone: false, ...(consult ? { consult } : {}) };
    this.running.set(call, t);
    if (consult) this.running.set(consult.call, t);
    answer(202, 'Accepted');
    this.notify(t, 100, 'Trying');
    this.ports.log.info({ call: call.id, by: info.by, side: info.side, kind: info.kind, target: info.to }, 'transfer started');
    if (target.replaces) {
      if (!consult) return this.fail(t, 481, 'Call/Transaction Does Not Exist');
      return this.attended(t, consult);
    }
    this.blind(t, target.user, request).catch((err: unknown) => {
      this.ports.log.warn({ call: call.id, err: err instanceof Error ? err.message : String(err) }, 'transfer failed');
      this.fail(t, 500, 'Server Internal Error');
    });
  }

  /** The referrer's dialog in another answered call that Replaces names (file comment), else undefined. */
  private consultation(ref: DialogRef, r: Replaces): DialogRef | undefined {
    const found = this.ports.find(r.callId, r.toTag, r.fromTag) ?? this.ports.find(r.callId, r.fromTag, r.toTag);
    if (!found || found.call === ref.call || found.call.state !== CallState.Answered) return undefined;
    const agent = partyOf(ref.call, sideName(ref.side)).agent;
    return agent !== null && partyOf(found.call, sideName(found.side)).agent === agent ? found : undefined;
  }

  private async blind(t: Transfer, target: string, refer: SipRequest): Promise<void> {
    const { call } = t.referrer;
    const transferee = partyOf(call, sideName(otherSide(t.referrer.side)));
    if (target === transferee.id || target === t.info.by || !(await this.ports.exists(target))) return this.fail(t, 404, 'Not Found');
    if (this.ports.busy(target)) return this.fail(t, 486, 'Busy Here');
    const bindings = this.ports.bindings(target);
    if (bindings.length === 0) return this.fail(t, 480, 'Temporarily Unavailable');
    if (this.cancelled(t)) return this.fail(t, 487, 'Request Terminated');
    const forks: Fork[] = bindings.map((b) => ({ leg: this.newLeg(transferee.id, b, target, refer), done: false }));
    t.forks = forks;
    let winner: Fork | undefined;
    const settle = (f: Fork, res: SipResponse, event: ClientEvent): void => {
      const { leg } = f;
      if (res.status < 200) {
        leg.provisional = true;
        if (leg.state === 'calling') leg.state = 'ringing';
        if (leg.cancelPending) this.send(cancelRequest(leg), leg.destination);
        return;
      }
      if (res.status < 300 && event.type === 'response') {
        if (leg.dialog) return; // a retransmitted 2xx: acknowledged when the transferee answers
        leg.dialog = uacDialog(leg.invite, res, leg.destination);
        leg.status = res.status;
        if (winner || this.cancelled(t)) {
          this.ack(leg, undefined);
          this.bye(leg.dialog);
          leg.state = 'ended';
          if (!winner) this.fail(t, 487, 'Request Terminated');
          return;
        }
        winner = f;
        for (const other of forks) if (other !== f && !other.done) this.stop(other.leg);
        const seq = getCSeq(leg.invite)?.seq ?? 1;
        this.bridge(t, res, target, (answer) => {
          this.ackIn(leg.dialog!, seq, answer);
          leg.state = 'answered';
          this.succeeded(t);
          this.ports.adopt(call, t.referrer.side, leg, { id: target, agent: target, trunk: null }, t.info);
        }, (status, reason) => {
          // The transferee refused the new session: end the target's leg, the call goes on as it was.
          this.ackIn(leg.dialog!, seq, undefined);
          leg.state = 'ended';
          this.bye(leg.dialog!);
          this.fail(t, status, reason);
        });
        return;
      }
      f.done = true;
      if (leg.state !== 'cancelled') leg.state = 'failed';
      leg.status ??= res.status;
      if (!winner && forks.every((x) => x.done)) this.fail(t, res.status === 486 ? 486 : 480, res.status === 486 ? 'Busy Here' : 'Temporarily Unavailable');
    };
    for (const f of forks) {
      try {
        this.ports.layer.sendRequest(f.leg.invite, f.leg.destination, (event) => {
          if (event.type !== 'terminated') settle(f, event.response, event);
        });
      } catch {
        settle(f, { kind: 'response', version: SIP_VERSION, status: 503, reason: 'Service Unavailable', headers: [], body: Buffer.alloc(0) }, { type: 'terminated' });
      }
    }
  }

  /** Attended step 2: an offerless re-INVITE to the consultation call's other party, then `bridge`. */
  private attended(t: Transfer, consult: DialogRef): void {
    const third = sideDialog(consult.call, otherSide(consult.side));
    if (!third) return this.fail(t, 481, 'Call/Transaction Does Not Exist');
    const transferee = partyOf(t.referrer.call, sideName(otherSide(t.referrer.side))).id;
    const reinvite = createInDialogRequest(third, 'INVITE', {
      via: this.ports.via(third.peer.transport), contact: this.ports.contact(transferee, third.peer.transport),
    });
    const seq = getCSeq(reinvite)?.seq ?? third.localSeq;
    let offered = false;
    let acked: SipResponse | undefined | null = null;
    const onEvent = (event: ClientEvent): void => {
      if (event.type === 'terminated') return;
      const res = event.response;
      if (res.status < 200) return;
      if (res.status < 300 && event.type === 'response') {
        if (offered) {
          if (acked !== null) this.ackIn(third, seq, acked); // a retransmitted 2xx once we ACKed: ACK again
          return;
        }
        offered = true;
        if (res.body.length === 0 || this.cancelled(t)) {
          this.ackIn(third, seq, (acked = undefined));
          return this.fail(t, res.body.length === 0 ? 488 : 487, res.body.length === 0 ? 'Not Acceptable Here' : 'Request Terminated');
        }
        const party = partyOf(consult.call, sideName(otherSide(consult.side))).id;
        this.bridge(t, res, party, (answer) => {
          this.ackIn(third, seq, (acked = answer));
          this.succeeded(t);
          if (consult.dialog.state !== DialogState.Terminated) this.bye(consult.dialog);
          this.ports.merge(t.referrer, consult, { ...t.info, to: party });
        }, (status, reason) => {
          this.ackIn(third, seq, (acked = undefined));
          this.fail(t, status, reason);
        });
        return;
      }
      if (offered) return;
      offered = true;
      this.fail(t, res.status, res.reason);
    };
    try {
      this.ports.layer.sendRequest(reinvite, third.peer, onEvent);
    } catch (err) {
      this.ports.log.warn({ call: t.referrer.call.id, err: err instanceof Error ? err.message : String(err) }, 'transfer re-INVITE not sent');
      this.fail(t, 503, 'Service Unavailable');
    }
  }

  /**
   * 3PCC: the offer in `ok` (the 2xx from the new party `party`) re-INVITEd to the transferee; `done`
   * with the transferee's 2xx (the answer), `failed` with any other final status.
   */
  private bridge(t: Transfer, ok: SipResponse, party: string, done: (answer: SipResponse) => void, failed: (status: number, reason: string) => void): void {
    const { transferee } = t;
    if (transferee.state === DialogState.Terminated) return failed(487, 'Request Terminated');
    const reinvite = createInDialogRequest(transferee, 'INVITE', {
      via: this.ports.via(transferee.peer.transport), contact: this.ports.contact(party, transferee.peer.transport),
    });
    copySdp(ok, reinvite);
    const seq = getCSeq(reinvite)?.seq ?? transferee.localSeq;
    let answered = false;
    try {
      this.ports.layer.sendRequest(reinvite, transferee.peer, (event) => {
        if (event.type === 'terminated') return;
        const res = event.response;
        if (res.status < 200) return;
        if (res.status < 300 && event.type === 'response') {
          this.ackIn(transferee, seq, undefined);
          if (answered) return;
          answered = true;
          return done(res);
        }
        if (answered) return;
        answered = true;
        failed(res.status, res.reason);
      });
    } catch (err) {
      this.ports.log.warn({ call: t.referrer.call.id, err: err instanceof Error ? err.message : String(err) }, 'transfer re-INVITE not sent');
      failed(503, 'Service Unavailable');
    }
  }

  /** Success: NOTIFY 200 and BYE to the referrer (unless it left), the calls free for another transfer. */
  private succeeded(t: Transfer): void {
    this.forget(t);
    this.notify(t, 200, 'OK', true);
    if (!t.gone && t.referrer.dialog.state !== DialogState.Terminated) this.bye(t.referrer.dialog);
  }

  private fail(t: Transfer, status: number, reason: string): void {
    this.forget(t);
    this.ports.log.info({ call: t.referrer.call.id, status }, 'transfer failed');
    this.notify(t, status, reason, true);
    if (t.gone && t.referrer.call.state !== CallState.Ended) this.ports.abandon(t.referrer.call, t.referrer.side);
    if (t.consult && t.consultGone && t.consult.call.state !== CallState.Ended) this.ports.abandon(t.consult.call, t.consult.side);
  }

  private forget(t: Transfer): void {
    this.running.delete(t.referrer.call);
    if (t.consult) this.running.delete(t.consult.call);
  }

  /** The call (or the consultation call) ended meanwhile. */
  private cancelled(t: Transfer): boolean {
    return t.referrer.call.state === CallState.Ended || (t.consult !== undefined && t.consult.call.state === CallState.Ended);
  }

  /** RFC 3515 §2.4.5: NOTIFY with the progress of the referenced request as message/sipfrag. */
  private notify(t: Transfer, status: number, reason: string, final = false): void {
    const dialog = t.referrer.dialog;
    if (t.gone || dialog.state === DialogState.Terminated) return;
    const notify = createInDialogRequest(dialog, 'NOTIFY', { via: this.ports.via(dialog.peer.transport) });
    notify.headers.push(
      { name: 'Event', value: 'refer' },
      { name: 'Subscription-State', value: final ? 'terminated;reason=noresource' : 'active;expires=60' },
      { name: 'Content-Type', value: 'message/sipfrag;version=2.0' },
    );
    notify.body = Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`);
    this.send(notify, dialog.peer);
  }

  /** An offerless INVITE (blind step 2) to one binding of the target, From the transferee's party. */
  private newLeg(from: string, b: Binding, target: string, refer: SipRequest): CallLeg {
    // RFC 3892 §3: the INVITE triggered by a REFER carries its Referred-By.
    const referredBy = getHeader(refer, 'Referred-By');
    return offerlessLeg(this.ports, b, from, target, referredBy === undefined ? [] : [{ name: 'Referred-By', value: referredBy }]);
  }

  /** §9.1: CANCEL a losing fork (at once, or at its first provisional response). */
  private stop(leg: CallLeg): void {
    const cancel = cancelLeg(leg);
    if (cancel) this.send(cancel, leg.destination);
  }

  /** §13.2.2.4: ACK a 2xx on the target's leg (no dialog yet: nothing to ACK). */
  private ack(leg: CallLeg, answer: SipResponse | undefined): void {
    if (leg.dialog) this.ackIn(leg.dialog, getCSeq(leg.invite)?.seq ?? 1, answer);
  }

  /** §13.2.2.4: the ACK for the 2xx of the INVITE `seq`, carrying `answer`'s SDP (RFC 3264 §4: offer in 2xx, answer in ACK). */
  private ackIn(dialog: Dialog, seq: number, answer: SipResponse | undefined): void {
    sendAck(this.ports, dialog, seq, answer);
  }

  private bye(dialog: Dialog): void {
    sendBye(this.ports, dialog);
  }

  private send(request: SipRequest, destination: TransportSource): void {
    sendUntracked(this.ports, request, destination);
  }
}
