/**
 * The B2BUA for agent-to-agent calls (DESIGN.md "The path of one call", steps 4-5 and 7, without media
 * yet). An INVITE from an agent to `sip:<extension>@...`:
 *
 *   1. Digest authentication with 407 Proxy-Authenticate (RFC 3261 §22.3, same credentials and ban
 *      counting as the registrar), answered at once; an authenticated INVITE gets 100 Trying at once
 *      (§8.2.6.1; an unauthenticated one only its 407, so scanners get one final answer and nothing else). The authenticated username must be
 *      the From user and the INVITE must come from a source that user registered from (so the caller is
 *      reachable for our BYE within the egress allow-list), else 403.
 *   2. Target: the Request-URI user. Unknown extension 404; the caller itself 482 Loop Detected (a call
 *      would only fork back to the caller's own devices); no registrations 480.
 *   3. One outbound leg per registered contact (fork): a new INVITE (new Call-ID, From tag, CSeq 1, our
 *      Via and Contact, the caller's SDP unchanged) sent to the binding's source, never to the Contact host.
 *   4. The first 180/183 is relayed to the caller (with our To tag and Contact; a 183's SDP passes through).
 *   5. The first 2xx wins: the leg is ACKed (§13.2.2.4), the caller gets 200 with the winner's SDP
 *      unchanged (the media issue anchors RTP later), the other legs are CANCELled (§9.1: a leg without a
 *      provisional response yet is cancelled when its first one arrives). A later 2xx of another fork is
 *      ACKed and ended with BYE.
 *   6. The caller's ACK for our 2xx is absorbed (the callee was ACKed already).
 *   7. BYE from either side: 200 there, BYE to the other side; the call ends (hung up by caller/callee).
 *   8. CANCEL from the caller before the answer: 200 (core), 487 to the INVITE, every leg cancelled.
 *   9. Every leg failed: the best failure (call.ts `bestFailure`) goes to the caller.
 *
 * Not yet: 2xx retransmission to a UDP caller until its ACK (§13.3.1.4), re-INVITE/UPDATE (answered
 * 488 in a dialog), PRACK, Timer C, Session-Timers. Single node: calls live in this process.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { FailureTracker } from '../sip/bans.js';
import type { Binding } from '../sip/bindings.js';
import type { ClientTransaction } from '../sip/client-transaction.js';
import type { DigestAuthenticator, StoredHa1 } from '../sip/digest-auth.js';
import {
  acceptRemoteSeq, createInDialogRequest, type Dialog, DialogEvent, DialogState, incomingKey, keyOf, transition, uacDialog, uasDialog,
} from '../sip/dialog.js';
import { getCSeq, getFrom } from '../sip/fields.js';
import { getHeader, getHeaders, SIP_VERSION, type SipRequest, type SipResponse } from '../sip/message.js';
import type { InviteServerTransaction, ServerTransaction } from '../sip/server-transaction.js';
import { createResponse, newBranch, newTag } from '../sip/transaction-messages.js';
import type { ClientEvent, TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { isSipUri, parseUri, unescape } from '../sip/uri.js';
import { bestFailure, type Call, CallEvent, type CallInfo, callInfo, type CallLeg, type CallSink, CallState, callTransition, type HangupBy } from './call.js';

export interface B2buaOptions {
  layer: Pick<TransactionLayer, 'sendRequest' | 'sendStateless'>;
  registrar: { bindings(aor: string): Binding[] };
  realm: string;
  auth: DigestAuthenticator;
  credentials: { lookup(extension: string): Promise<StoredHa1 | null> };
  /** Whether an agent with this extension exists. */
  agents: { exists(extension: string): Promise<boolean> };
  bans?: Pick<FailureTracker, 'recordFailure' | 'recordSuccess'>;
  /** Our bound address for a transport (Via, Contact), or null when that transport has no listener. */
  local: (transport: TransportName) => { host: string; port: number } | null;
  /** Server header value. */
  server: string;
  sink?: CallSink;
  log: Logger;
}

type Side = 'inbound' | 'outbound';
type Answer = { status: number; reason: string; headers?: Array<[string, string]> };

const userOf = (uri: string): string | undefined => {
  const u = parseUri(uri);
  return u.ok && isSipUri(u.value) && u.value.user !== undefined ? unescape(u.value.user) : undefined;
};

export class B2bua {
  /** Live calls by id. */
  private readonly calls = new Map<string, Call>();
  private readonly byInvite = new Map<InviteServerTransaction, Call>();
  /** Confirmed dialogs of live calls, by dialogKey. */
  private readonly dialogs = new Map<string, { call: Call; side: Side; dialog: Dialog }>();

  constructor(private readonly opts: B2buaOptions) {}

  /** The live calls (this node). */
  active(): CallInfo[] {
    return [...this.calls.values()].map(callInfo);
  }

  /** A new INVITE (no To tag): authenticate, 100 Trying, route (file comment). */
  invite(tx: InviteServerTransaction, source: TransportSource): void {
    this.start(tx, source).catch((err: unknown) => {
      this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'call setup failed');
      this.final(tx, { status: 500, reason: 'Server Internal Error' });
    });
  }

  /** A request with a To tag: true when it belongs to one of our dialogs (else the core answers 481). */
  inDialog(tx: ServerTransaction, source: TransportSource): boolean {
    const key = incomingKey(tx.request);
    const entry = key === undefined ? undefined : this.dialogs.get(key);
    if (!entry) return false;
    const { call, side, dialog } = entry;
    if (!acceptRemoteSeq(dialog, tx.request)) {
      tx.respond(this.reply(tx.request, 500, 'Server Internal Error', dialog.localTag));
      return true;
    }
    if (tx.request.method !== 'BYE') {
      // re-INVITE, UPDATE, INFO, ...: not served yet (media and DTMF issues).
      tx.respond(this.reply(tx.request, 488, 'Not Acceptable Here', dialog.localTag));
      return true;
    }
    this.opts.log.debug({ call: call.id, side, from: `${source.address}:${source.port}` }, 'bye received');
    tx.respond(this.reply(tx.request, 200, 'OK', dialog.localTag));
    transition(dialog, DialogEvent.Bye);
    const other = side === 'inbound' ? call.legs.find((l) => l.state === 'answered')?.dialog : call.inbound.dialog;
    if (other) this.bye(other);
    for (const l of call.legs) if (l.state === 'answered') l.state = 'ended';
    this.end(call, side === 'inbound' ? 'caller' : 'callee', 200, 'BYE');
    return true;
  }

  /** The core answered a CANCEL for `invite` with 200 (§9.2): 487 to the INVITE, cancel every leg. */
  cancelled(invite: InviteServerTransaction): void {
    const call = this.byInvite.get(invite);
    if (!call) {
      // Cancelled while still being authenticated or routed (start() sees the final answer and stops).
      if (!invite.lastResponse || invite.lastResponse.status < 200) this.final(invite, { status: 487, reason: 'Request Terminated' });
      return;
    }
    if (call.state !== CallState.Trying && call.state !== CallState.Ringing) return;
    this.final(invite, { status: 487, reason: 'Request Terminated' }, call.inbound.localTag);
    for (const leg of call.legs) this.cancelLeg(leg);
    this.end(call, 'caller', 487, 'CANCEL');
  }

  /** Stop everything (shutdown): live calls end without signaling. */
  close(): void {
    for (const call of [...this.calls.values()]) this.end(call, 'system', 503, 'shutdown');
  }

  private async start(tx: InviteServerTransaction, source: TransportSource): Promise<void> {
    const request = tx.request;
    const auth = await this.opts.auth.verify(request, {
      realm: this.opts.realm, header: 'Proxy-Authorization', lookup: (u) => this.opts.credentials.lookup(u),
    });
    if (!auth.ok) {
      if (auth.reason !== 'missing' && auth.reason !== 'stale') this.opts.bans?.recordFailure(source.address);
      return this.final(tx, { status: 407, reason: 'Proxy Authentication Required', headers: auth.challenge.map((c) => ['Proxy-Authenticate', c]) });
    }
    this.opts.bans?.recordSuccess(source.address);
    tx.respond(this.reply(request, 100, 'Trying'));
    const fromUri = getFrom(request)?.uri;
    const caller = fromUri && isSipUri(fromUri) && fromUri.user !== undefined ? unescape(fromUri.user) : undefined;
    if (caller !== auth.username) return this.final(tx, { status: 403, reason: 'Forbidden' });
    if (!this.registeredFrom(caller, source)) return this.final(tx, { status: 403, reason: 'Forbidden: not registered from this address' });
    const target = userOf(request.uri);
    if (target === undefined) return this.final(tx, { status: 404, reason: 'Not Found' });
    if (target === caller) return this.final(tx, { status: 482, reason: 'Loop Detected' });
    if (!(await this.opts.agents.exists(target))) return this.final(tx, { status: 404, reason: 'Not Found' });
    if (tx.lastResponse && tx.lastResponse.status >= 200) return; // cancelled meanwhile
    const bindings = this.opts.registrar.bindings(target);
    if (bindings.length === 0) return this.final(tx, { status: 480, reason: 'Temporarily Unavailable' });
    this.setup(tx, source, caller, target, bindings);
  }

  private setup(tx: InviteServerTransaction, source: TransportSource, caller: string, target: string, bindings: Binding[]): void {
    const call: Call = {
      id: randomUUID(), from: caller, to: target, direction: 'internal', state: CallState.Trying,
      startedAt: new Date(), ringingAt: null, answeredAt: null, endedAt: null, hangupBy: null, status: null, reason: null,
      inbound: { tx, source, localTag: newTag() }, legs: [],
    };
    this.calls.set(call.id, call);
    this.byInvite.set(tx, call);
    call.legs = bindings.map((b) => this.newLeg(call, b));
    this.opts.log.info({ call: call.id, from: caller, to: target, legs: bindings.length }, 'call started');
    this.report(() => this.opts.sink?.started(call));
    for (const leg of [...call.legs]) this.offer(call, leg);
  }

  private registeredFrom(aor: string, source: TransportSource): boolean {
    return this.opts.registrar.bindings(aor).some((b) =>
      b.source.transport === source.transport && b.source.address === source.address && b.source.port === source.port);
  }

  /** Step 3: one outbound leg towards a binding's source. */
  private newLeg(call: Call, b: Binding): CallLeg {
    const destination: TransportSource = { ...b.source };
    const invite = this.newInvite(call, b.contact, destination.transport, this.opts.local(destination.transport));
    return { id: randomUUID(), contact: b.contact, destination, state: 'calling', status: null, invite, provisional: false, cancelPending: false };
  }

  private offer(call: Call, leg: CallLeg): void {
    if (leg.state !== 'calling') return;
    try {
      this.opts.layer.sendRequest(leg.invite, leg.destination, (event, ctx) => this.legEvent(call, leg, event, ctx));
    } catch (err) {
      this.opts.log.warn({ call: call.id, err: err instanceof Error ? err.message : String(err) }, 'leg not started');
      this.legFailed(call, leg, 503);
    }
  }

  private newInvite(call: Call, contact: string, transport: TransportName, local: { host: string; port: number } | null): SipRequest {
    const host = local ? `${local.host.includes(':') ? `[${local.host}]` : local.host}:${local.port}` : 'hotline.invalid';
    const caller = call.inbound.tx.request;
    const headers = [
      { name: 'Via', value: `SIP/2.0/${transport.toUpperCase()} ${host};rport` },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `<sip:${call.from}@${host}>;tag=${newTag()}` },
      { name: 'To', value: `<sip:${call.to}@${host}>` },
      { name: 'Call-ID', value: randomUUID() },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: this.contact(call.from, transport) },
      { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS' },
    ];
    const type = getHeader(caller, 'Content-Type');
    if (type !== undefined) headers.push({ name: 'Content-Type', value: type });
    return { kind: 'request', method: 'INVITE', uri: contact, version: SIP_VERSION, headers, body: Buffer.from(caller.body) };
  }

  /** Our Contact for a transport: `<sip:<ext>@<bound host:port>;transport=...>`. */
  private contact(user: string, transport: TransportName): string {
    const local = this.opts.local(transport);
    const host = local ? `${local.host.includes(':') ? `[${local.host}]` : local.host}:${local.port}` : 'hotline.invalid';
    return `<sip:${user}@${host};transport=${transport}>`;
  }

  private via(transport: TransportName, branch?: string): string {
    const local = this.opts.local(transport);
    const host = local ? `${local.host.includes(':') ? `[${local.host}]` : local.host}:${local.port}` : 'hotline.invalid';
    return `SIP/2.0/${transport.toUpperCase()} ${host};rport${branch ? `;branch=${branch}` : ''}`;
  }

  private legEvent(call: Call, leg: CallLeg, event: ClientEvent, _tx: ClientTransaction): void {
    if (event.type === 'terminated') return;
    if (event.type !== 'response') return this.legFailed(call, leg, event.response.status);
    const res = event.response;
    if (res.status < 200) return this.legProvisional(call, leg, res);
    if (res.status < 300) return this.legAnswered(call, leg, res);
    this.legFailed(call, leg, res.status);
  }

  /** Step 4 (and a pending CANCEL of step 5). */
  private legProvisional(call: Call, leg: CallLeg, res: SipResponse): void {
    leg.provisional = true;
    if (leg.cancelPending) {
      leg.cancelPending = false;
      this.sendCancel(leg);
      return;
    }
    if (res.status === 100) return;
    if (leg.state === 'calling') leg.state = 'ringing';
    if ((res.status !== 180 && res.status !== 183) || call.state !== CallState.Trying) return;
    callTransition(call, CallEvent.Ringing);
    call.ringingAt = new Date();
    const relay = this.reply(call.inbound.tx.request, res.status, res.reason, call.inbound.localTag);
    relay.headers.push({ name: 'Contact', value: this.contact(call.to, call.inbound.source.transport) });
    this.copyBody(res, relay);
    call.inbound.tx.respond(relay);
    this.report(() => this.opts.sink?.ringing(call));
  }

  /** Step 5. */
  private legAnswered(call: Call, leg: CallLeg, res: SipResponse): void {
    if (leg.dialog) {
      // A retransmitted 2xx: our ACK was lost (§13.2.2.4: ACK each one).
      this.ack(leg, leg.dialog);
      return;
    }
    const dialog = (leg.dialog = uacDialog(leg.invite, res, leg.destination));
    this.ack(leg, dialog);
    leg.status = res.status;
    if (call.state !== CallState.Trying && call.state !== CallState.Ringing) {
      // Another fork answered first, or the call is over: this one ends at once.
      leg.state = 'ended';
      transition(dialog, DialogEvent.Bye);
      this.bye(dialog);
      return;
    }
    leg.state = 'answered';
    callTransition(call, CallEvent.Answered);
    call.answeredAt = new Date();
    const inbound = call.inbound;
    const ok = this.reply(inbound.tx.request, res.status, res.reason, inbound.localTag);
    ok.headers.push({ name: 'Contact', value: this.contact(call.to, inbound.source.transport) });
    this.copyBody(res, ok);
    inbound.tx.respond(ok);
    inbound.dialog = uasDialog(inbound.tx.request, inbound.localTag, inbound.source, DialogState.Confirmed);
    this.dialogs.set(keyOf(inbound.dialog), { call, side: 'inbound', dialog: inbound.dialog });
    this.dialogs.set(keyOf(dialog), { call, side: 'outbound', dialog });
    for (const other of call.legs) if (other !== leg) this.cancelLeg(other);
    this.opts.log.info({ call: call.id, contact: leg.contact }, 'call answered');
    this.report(() => this.opts.sink?.answered(call));
  }

  /** Step 9: a leg failed; when none is left, the caller gets the best failure. */
  private legFailed(call: Call, leg: CallLeg, status: number): void {
    if (leg.state !== 'cancelled') leg.state = 'failed';
    leg.status ??= status;
    if (call.state !== CallState.Trying && call.state !== CallState.Ringing) return;
    if (call.legs.some((l) => l.state === 'calling' || l.state === 'ringing')) return;
    const best = bestFailure(call.legs.map((l) => l.status ?? 480));
    this.final(call.inbound.tx, best, call.inbound.localTag);
    const refused = call.legs.some((l) => l.status !== null && l.status >= 400 && l.status !== 408 && l.status !== 503);
    this.end(call, refused ? 'callee' : 'system', best.status, best.reason);
  }

  /** §9.1: CANCEL a leg still ringing (after its first provisional response). */
  private cancelLeg(leg: CallLeg): void {
    if (leg.state !== 'calling' && leg.state !== 'ringing') return;
    leg.state = 'cancelled';
    leg.status = 487;
    if (!leg.provisional) {
      leg.cancelPending = true;
      return;
    }
    this.sendCancel(leg);
  }

  private sendCancel(leg: CallLeg): void {
    const inv = leg.invite;
    const headers = [
      { name: 'Via', value: getHeaders(inv, 'Via')[0] ?? this.via(leg.destination.transport) },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: getHeader(inv, 'From') ?? '' },
      { name: 'To', value: getHeader(inv, 'To') ?? '' },
      { name: 'Call-ID', value: getHeader(inv, 'Call-ID') ?? '' },
      { name: 'CSeq', value: `${getCSeq(inv)?.seq ?? 1} CANCEL` },
    ];
    const cancel: SipRequest = { kind: 'request', method: 'CANCEL', uri: inv.uri, version: SIP_VERSION, headers, body: Buffer.alloc(0) };
    this.send(cancel, leg.destination);
  }

  /** §13.2.2.4: the ACK for a 2xx, outside any transaction, with the INVITE's CSeq number. */
  private ack(leg: CallLeg, dialog: Dialog): void {
    const ack = createInDialogRequest(dialog, 'ACK', { via: this.via(leg.destination.transport, newBranch()) }, getCSeq(leg.invite)?.seq ?? 1);
    try {
      const pending = this.opts.layer.sendStateless(ack, dialog.peer);
      if (pending) pending.catch((err: unknown) => this.opts.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'ack not sent'));
    } catch (err) {
      this.opts.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'ack not sent');
    }
  }

  private bye(dialog: Dialog): void {
    transition(dialog, DialogEvent.Bye);
    this.send(createInDialogRequest(dialog, 'BYE', { via: this.via(dialog.peer.transport) }), dialog.peer);
  }

  /** A request through a client transaction whose outcome nobody waits for (BYE, CANCEL). */
  private send(request: SipRequest, destination: TransportSource): void {
    try {
      this.opts.layer.sendRequest(request, destination, (event) => {
        if (event.type === 'timeout' || event.type === 'transport-error') {
          this.opts.log.debug({ method: request.method, status: event.response.status }, 'request failed');
        }
      });
    } catch (err) {
      this.opts.log.warn({ method: request.method, err: err instanceof Error ? err.message : String(err) }, 'request not sent');
    }
  }

  private end(call: Call, by: HangupBy, status: number, reason: string): void {
    if (!callTransition(call, CallEvent.Ended)) return;
    call.endedAt = new Date();
    call.hangupBy = by;
    call.status = status;
    call.reason = reason;
    this.calls.delete(call.id);
    this.byInvite.delete(call.inbound.tx);
    if (call.inbound.dialog) this.dialogs.delete(keyOf(call.inbound.dialog));
    for (const leg of call.legs) if (leg.dialog) this.dialogs.delete(keyOf(leg.dialog));
    this.opts.log.info({ call: call.id, hangupBy: by, status }, 'call ended');
    this.report(() => this.opts.sink?.ended(call));
  }

  private final(tx: InviteServerTransaction, answer: Answer, toTag = newTag()): void {
    const res = this.reply(tx.request, answer.status, answer.reason, toTag);
    for (const [name, value] of answer.headers ?? []) res.headers.push({ name, value });
    tx.respond(res);
  }

  private reply(request: SipRequest, status: number, reason: string, toTag?: string): SipResponse {
    const res = createResponse(request, status, reason, toTag === undefined ? {} : { toTag });
    res.headers.push({ name: 'Server', value: this.opts.server });
    return res;
  }

  private copyBody(from: SipResponse, to: SipResponse): void {
    if (from.body.length === 0) return;
    const type = getHeader(from, 'Content-Type');
    if (type !== undefined) to.headers.push({ name: 'Content-Type', value: type });
    to.body = Buffer.from(from.body);
  }

  private report(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'call sink failed');
    }
  }
}
