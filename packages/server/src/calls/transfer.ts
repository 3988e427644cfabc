/**
 * Blind transfer (RFC 3515 REFER, RFC 5589 §6) in an answered B2BUA call, from the callee: the callee
 * (referrer) REFERs with `Refer-To: <sip:<ext>@...>` naming another agent; the caller (transferee) is
 * bridged to that agent (target) and the referrer's leg ends. The B2BUA passes SDP end to end, so the
 * media is renegotiated third-party-call-control style (RFC 3725 flow I shape):
 *
 *   1. REFER answered 202 Accepted; NOTIFY (Event: refer, message/sipfrag `SIP/2.0 100 Trying`) to the referrer.
 *   2. An offerless INVITE to every registered contact of the target (fork: first 2xx wins, the others are
 *      CANCELled after their first provisional; a late 2xx is ACKed and ended with BYE).
 *   3. The target's 2xx carries an offer: a re-INVITE carries it to the transferee; the transferee's 2xx
 *      carries the answer: ACK to the transferee, ACK (with the answer) to the target.
 *   4. NOTIFY `SIP/2.0 200 OK` (Subscription-State: terminated) and BYE to the referrer; the call's callee
 *      is now the target (call.to), the referrer's leg `ended`, the target's leg `answered`.
 *   Failure (target unknown 404, unregistered 480, every fork failed, the transferee refused the new
 *   offer): NOTIFY with that final status as sipfrag (terminated); the original call goes on untouched.
 *
 * Not yet: REFER from the caller (answered 488: the call keeps one inbound UAS dialog), attended transfer
 * (Replaces), Referred-By, a second REFER while one runs (491).
 */
import { randomUUID } from 'node:crypto';
import type { Binding } from '../sip/bindings.js';
import { createInDialogRequest, type Dialog, DialogEvent, transition, uacDialog } from '../sip/dialog.js';
import { getCSeq } from '../sip/fields.js';
import { getHeader, SIP_VERSION, type SipRequest, type SipResponse } from '../sip/message.js';
import type { ServerTransaction } from '../sip/server-transaction.js';
import { newBranch, newTag } from '../sip/transaction-messages.js';
import type { ClientEvent } from '../sip/transaction-types.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { isSipUri, parseNameAddr, unescape } from '../sip/uri.js';
import { cancelLeg, cancelRequest, type Call, type CallLeg } from './call.js';
import type { RelayPorts } from './in-dialog.js';

export interface TransferPorts extends RelayPorts {
  bindings(extension: string): Binding[];
  exists(extension: string): Promise<boolean>;
  /** The transfer succeeded: `leg` (answered, with its dialog) replaces the referrer's `old` leg. */
  adopt(call: Call, old: CallLeg, leg: CallLeg, target: string): void;
}

type Fork = { leg: CallLeg; done: boolean };

export class Transfers {
  private readonly running = new WeakSet<Call>();

  constructor(private readonly ports: TransferPorts) {}

  /** REFER from the callee's leg `referrer` (dialog `from`) of `call`, whose caller dialog is `transferee`. */
  refer(call: Call, referrer: CallLeg, from: Dialog, transferee: Dialog, tx: ServerTransaction): void {
    const request = tx.request;
    const referTo = getHeader(request, 'Refer-To');
    const parsed = referTo === undefined ? undefined : parseNameAddr(referTo);
    const uri = parsed?.ok ? parsed.value.uri : undefined;
    const target = uri && isSipUri(uri) && uri.user !== undefined ? unescape(uri.user) : undefined;
    if (target === undefined) return void tx.respond(this.ports.reply(request, 400, 'Bad Request: Refer-To', from.localTag));
    if (this.running.has(call)) return void tx.respond(this.ports.reply(request, 491, 'Request Pending', from.localTag));
    this.running.add(call);
    tx.respond(this.ports.reply(request, 202, 'Accepted', from.localTag));
    this.notify(from, 100, 'Trying');
    this.start(call, referrer, from, transferee, target).catch((err: unknown) => {
      this.ports.log.warn({ call: call.id, err: err instanceof Error ? err.message : String(err) }, 'transfer failed');
      this.fail(call, from, 500, 'Server Internal Error');
    });
  }

  private async start(call: Call, referrer: CallLeg, from: Dialog, transferee: Dialog, target: string): Promise<void> {
    if (target === call.from || !(await this.ports.exists(target))) return this.fail(call, from, 404, 'Not Found');
    const bindings = this.ports.bindings(target);
    if (bindings.length === 0) return this.fail(call, from, 480, 'Temporarily Unavailable');
    const forks: Fork[] = bindings.map((b) => ({ leg: this.newLeg(call, b, target), done: false }));
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
        if (winner) {
          this.ack(leg, undefined);
          this.bye(leg.dialog);
          leg.state = 'ended';
          return;
        }
        winner = f;
        for (const other of forks) if (other !== f && !other.done) this.stop(other.leg);
        this.bridge(call, referrer, from, transferee, leg, res, target);
        return;
      }
      f.done = true;
      if (leg.state !== 'cancelled') leg.state = 'failed';
      leg.status ??= res.status;
      if (!winner && forks.every((x) => x.done)) this.fail(call, from, res.status === 486 ? 486 : 480, res.status === 486 ? 'Busy Here' : 'Temporarily Unavailable');
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

  /** Step 3: the target's offer to the transferee, the transferee's answer in the target's ACK. */
  private bridge(call: Call, referrer: CallLeg, from: Dialog, transferee: Dialog, leg: CallLeg, ok: SipResponse, target: string): void {
    const reinvite = createInDialogRequest(transferee, 'INVITE', {
      via: this.ports.via(transferee.peer.transport), contact: this.ports.contact(target, transferee.peer.transport),
    });
    copySdp(ok, reinvite);
    const seq = getCSeq(reinvite)?.seq ?? transferee.localSeq;
    let done = false;
    this.ports.layer.sendRequest(reinvite, transferee.peer, (event) => {
      if (event.type === 'terminated') return;
      const res = event.response;
      if (res.status < 200) return;
      if (res.status < 300 && event.type === 'response') {
        this.sendAck(createInDialogRequest(transferee, 'ACK', { via: this.ports.via(transferee.peer.transport, newBranch()) }, seq), transferee);
        if (done) return;
        done = true;
        this.ack(leg, res);
        leg.state = 'answered';
        referrer.state = 'ended';
        this.running.delete(call);
        this.notify(from, 200, 'OK', true);
        this.bye(from);
        this.ports.adopt(call, referrer, leg, target);
        return;
      }
      if (done) return;
      done = true;
      // The transferee refused the new session: end the target's leg, the call goes on as it was.
      this.ack(leg, undefined);
      leg.state = 'ended';
      if (leg.dialog) this.bye(leg.dialog);
      this.fail(call, from, res.status, res.reason);
    });
  }

  private fail(call: Call, from: Dialog, status: number, reason: string): void {
    this.running.delete(call);
    this.ports.log.info({ call: call.id, status }, 'transfer failed');
    this.notify(from, status, reason, true);
  }

  /** RFC 3515 §2.4.5: NOTIFY with the progress of the referenced request as message/sipfrag. */
  private notify(dialog: Dialog, status: number, reason: string, final = false): void {
    const notify = createInDialogRequest(dialog, 'NOTIFY', { via: this.ports.via(dialog.peer.transport) });
    notify.headers.push(
      { name: 'Event', value: 'refer' },
      { name: 'Subscription-State', value: final ? 'terminated;reason=noresource' : 'active;expires=60' },
      { name: 'Content-Type', value: 'message/sipfrag;version=2.0' },
    );
    notify.body = Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`);
    this.send(notify, dialog.peer);
  }

  /** An offerless INVITE (step 2) to one binding of the target. */
  private newLeg(call: Call, b: Binding, target: string): CallLeg {
    const destination: TransportSource = { ...b.source };
    const via = this.ports.via(destination.transport);
    const host = /\s(\S+?);/.exec(via)?.[1] ?? 'hotline.invalid';
    const headers = [
      { name: 'Via', value: via },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `<sip:${call.from}@${host}>;tag=${newTag()}` },
      { name: 'To', value: `<sip:${target}@${host}>` },
      { name: 'Call-ID', value: randomUUID() },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: this.ports.contact(call.from, destination.transport) },
      { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY' },
    ];
    const invite: SipRequest = { kind: 'request', method: 'INVITE', uri: b.contact, version: SIP_VERSION, headers, body: Buffer.alloc(0) };
    return { id: randomUUID(), contact: b.contact, destination, state: 'calling', status: null, invite, provisional: false, cancelPending: false };
  }

  /** §9.1: CANCEL a losing fork (at once, or at its first provisional response). */
  private stop(leg: CallLeg): void {
    const cancel = cancelLeg(leg);
    if (cancel) this.send(cancel, leg.destination);
  }

  /** §13.2.2.4: ACK the target's 2xx, carrying the transferee's answer (RFC 3264 §4: offer in 2xx, answer in ACK). */
  private ack(leg: CallLeg, answer: SipResponse | undefined): void {
    if (!leg.dialog) return;
    const ack = createInDialogRequest(leg.dialog, 'ACK', { via: this.ports.via(leg.destination.transport, newBranch()) }, getCSeq(leg.invite)?.seq ?? 1);
    if (answer) copySdp(answer, ack);
    this.sendAck(ack, leg.dialog);
  }

  private sendAck(ack: SipRequest, dialog: Dialog): void {
    try {
      const sent = this.ports.layer.sendStateless(ack, dialog.peer);
      if (sent) sent.catch((err: unknown) => this.ports.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'ack not sent'));
    } catch (err) {
      this.ports.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'ack not sent');
    }
  }

  private bye(dialog: Dialog): void {
    transition(dialog, DialogEvent.Bye);
    this.send(createInDialogRequest(dialog, 'BYE', { via: this.ports.via(dialog.peer.transport) }), dialog.peer);
  }

  private send(request: SipRequest, destination: TransportSource): void {
    try {
      this.ports.layer.sendRequest(request, destination, () => {});
    } catch (err) {
      this.ports.log.warn({ method: request.method, err: err instanceof Error ? err.message : String(err) }, 'request not sent');
    }
  }
}

function copySdp(from: SipRequest | SipResponse, to: SipRequest | SipResponse): void {
  if (from.body.length === 0) return;
  to.headers.push({ name: 'Content-Type', value: getHeader(from, 'Content-Type') ?? 'application/sdp' });
  to.body = Buffer.from(from.body);
}
