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
 *   6. The 2xx to a UDP caller is retransmitted (T1 doubling to T2) until its ACK (§13.3.1.4,
 *      call-timers.ts); the ACK is then absorbed (the callee was ACKed already). No ACK within 64*T1:
 *      BYE to both sides, hung up by system (408 'no ACK'). Not over TCP/TLS/WS.
 *   7. BYE from either side: 200 there, BYE to the other side; the call ends (hung up by caller/callee).
 *   8. CANCEL from the caller before the answer: 200 (core), 487 to the INVITE, every leg cancelled.
 *   9. Every leg failed: the best failure (call.ts `bestFailure`) goes to the caller.
 *
 *  10. re-INVITE (hold/unhold: events call.held/call.resumed) and INFO in an answered call: relayed to the
 *      other side (in-dialog.ts). REFER from either side: blind or attended transfer (transfer.ts); the
 *      target's dialog replaces the referrer's on its side (`adopt`; attended: `merge`, the consultation
 *      call ends `transferred`); a re-INVITE while a transfer runs gets 491; a BYE from the referrer
 *      during its transfer releases only its dialog. An agent's INVITE with Replaces naming a dialog of its
 *      own answered call takes that side over from another device (replaces.ts, RFC 3891 §3).
 *  11. Trunks and numbers (trunk-calls.ts): INVITEs from a trunk's networks (or authenticated as a digest
 *      trunk, sharing the agents' 407) route by number; an agent's
 *      call to something that is not an extension routes by number or goes out through a trunk; limits
 *      (route-target.ts, also the routing of click-to-call).
 *  12. Timer C (180 s, §16.6 step 11 / §16.7 step 2) on every outbound INVITE leg, restarted by each
 *      provisional: it CANCELs the leg (or marks it for CANCEL at its first provisional) as a 408.
 *  13. `hangup` (API): answered, BYE both sides; before, 480 to the caller and every leg CANCELled.
 *  14. `originate` (API, originate.ts): click-to-call, RFC 3725 flow I; the call's caller side is the agent's
 *      device we called (no INVITE server transaction: `inbound.tx` is absent, `connect` INVITEs the target
 *      with the agent's offer, `legAnswered` hands the answer to originate.ts for the agent's ACK).
 *
 * Not yet: UPDATE (answered 488 in a dialog), an INVITE with Replaces for an early dialog (pickup),
 * PRACK, Session-Timers, retransmission of a relayed re-INVITE's 2xx (in-dialog.ts). Single node: calls live
 * in this process.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { FailureTracker } from '../sip/bans.js';
import type { Binding } from '../sip/bindings.js';
import type { ClientTransaction } from '../sip/client-transaction.js';
import type { DigestAuthenticator, StoredHa1 } from '../sip/digest-auth.js';
import {
  acceptRemoteSeq, type Dialog, DialogEvent, dialogKey, DialogState, incomingKey, keyOf, transition, uacDialog, uasDialog,
} from '../sip/dialog.js';
import { getCSeq, getFrom } from '../sip/fields.js';
import { getHeader, SIP_VERSION, type SipRequest, type SipResponse } from '../sip/message.js';
import type { InviteServerTransaction, ServerTransaction } from '../sip/server-transaction.js';
import { createResponse, newTag } from '../sip/transaction-messages.js';
import { type ClientEvent, isReliable, type TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { isSipUri, parseUri, unescape } from '../sip/uri.js';
import {
  bestFailure, cancelLeg, cancelRequest, type Call, CallEvent, type CallInfo, callInfo, type CallLeg, type CallSide, type CallSink, CallState, callTransition,
  type HangupBy, otherSide, type Party, partyOf, setParty, sideDialog, sideName, type TransferInfo,
} from './call.js';
import { AnswerTimers, type CallTimerOptions, LegTimers, resolveCallTimers, type ResolvedCallTimers } from './call-timers.js';
import { InDialogRelay } from './in-dialog.js';
import { Originator } from './originate.js';
import { copyBody, sendAck, sendBye, sendStateless, type SignalPorts, sendUntracked } from './signal.js';
import { type RouteDeps, type Routed, routeOut, routeTarget } from './route-target.js';
import { replaceDialog, type ReplacePorts } from './replaces.js';
import { Transfers } from './transfer.js';
import { agentBusy, authorizedInvite, BUSY, digestUser, isExtension, NOT_FOUND, notAgentAnswer, TRUNK_FULL, trunkFull } from './trunk-calls.js';
import type { InboundTrunk, OutboundTrunk, TrunkPort } from './trunk-port.js';

export interface B2buaOptions {
  layer: Pick<TransactionLayer, 'sendRequest' | 'sendStateless'>;
  registrar: { bindings(aor: string): Binding[]; hasSource(transport: TransportName, address: string, port: number): boolean };
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
  /** Concurrent calls per agent (setting `sip.maxCallsPerAgent`, 0 = unlimited); default 2. */
  maxCallsPerAgent?: number;
  /** Trunks and numbers (trunk-calls.ts); without it only agent-to-agent calls. */
  trunks?: TrunkPort;
  /** 2xx retransmission (T1, T2) and Timer C, on an injectable clock (call-timers.ts). */
  timers?: CallTimerOptions;
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

  /** re-INVITE and INFO relayed to the other leg (in-dialog.ts); REFER blind transfer (transfer.ts). */
  /** Sending ACK, BYE, CANCEL and 2xx retransmissions (signal.ts). */
  private readonly signal: SignalPorts;
  private readonly relay: InDialogRelay;
  private readonly transfers: Transfers;
  /** INVITE with Replaces (replaces.ts). */
  private readonly replacing: ReplacePorts;
  /** §13.3.1.4 2xx retransmissions to UDP callers; Timer C of outbound legs (call-timers.ts). */
  private readonly timing: ResolvedCallTimers;
  private readonly answers: AnswerTimers<Call>;
  private readonly legTimers: LegTimers<CallLeg>;
  /** Click-to-call, RFC 3725 flow I (originate.ts). */
  private readonly originator: Originator;

  constructor(private readonly opts: B2buaOptions) {
    this.signal = { layer: opts.layer, log: opts.log, via: (t, b) => this.via(t, b) };
    this.timing = resolveCallTimers(opts.timers);
    this.answers = new AnswerTimers(this.timing);
    this.legTimers = new LegTimers(this.timing);
    this.originator = new Originator({
      layer: opts.layer, log: opts.log, timers: this.legTimers,
      via: (t, b) => this.via(t, b), contact: (u, t) => this.contact(u, t),
      exists: (ext) => opts.agents.exists(ext), bindings: (ext) => opts.registrar.bindings(ext), busy: (ext) => this.busy(ext),
      route: (caller, target) => routeTarget(this.routeDeps(), caller, target), started: (call) => this.started(call),
      connect: (call, routed) => this.connect(call, routed), end: (call, by, status, reason) => this.end(call, by, status, reason),
    });
    const ports = {
      layer: opts.layer, log: opts.log,
      via: (t: TransportName, b?: string) => this.via(t, b), contact: (u: string, t: TransportName) => this.contact(u, t),
      reply: (r: SipRequest, s: number, why: string, tag?: string) => this.reply(r, s, why, tag),
      onHold: (call: Call, by: CallSide, held: boolean) => this.report(() => (held ? this.opts.sink?.held(call, by) : this.opts.sink?.resumed(call, by))),
    };
    this.relay = new InDialogRelay(ports);
    this.transfers = new Transfers({
      ...ports, bindings: (ext) => opts.registrar.bindings(ext), exists: (ext) => opts.agents.exists(ext), busy: (ext) => this.busy(ext),
      find: (callId, local, remote) => this.dialogs.get(dialogKey(callId, local, remote)),
      adopt: (call, side, leg, party, info) => this.adopt(call, side, leg, party, info),
      merge: (referrer, consult, info) => this.merge(referrer, consult, info),
      abandon: (call, side) => {
        this.hangupAnswered(call);
        this.end(call, side === 'inbound' ? 'caller' : 'callee', 200, 'BYE');
      },
    });
    this.replacing = {
      ...ports, find: (callId, local, remote) => this.dialogs.get(dialogKey(callId, local, remote)),
      busy: (ref) => this.transfers.busy(ref.call) || this.relay.busy(ref.call),
      adopt: (call, side, leg, party, info) => this.adopt(call, side, leg, party, info),
    };
  }

  /**
   * A transfer succeeded (transfer.ts): `leg` (answered, with its dialog) takes `side`'s place with
   * `party`; the referrer's dialog was released (BYE). A caller-side leg becomes the inbound dialog.
   */
  private adopt(call: Call, side: Side, leg: CallLeg, party: Party, info: TransferInfo): void {
    const old = sideDialog(call, side);
    if (old) this.dialogs.delete(keyOf(old));
    for (const l of call.legs) if (old && l.dialog === old) l.state = 'ended';
    if (side === 'inbound') {
      leg.callerSide = true;
      call.inbound.dialog = leg.dialog;
    }
    call.legs.push(leg);
    if (leg.dialog) this.dialogs.set(keyOf(leg.dialog), { call, side, dialog: leg.dialog });
    setParty(call, sideName(side), party);
    delete call.held; // a new session was negotiated with the new party
    this.opts.log.info({ call: call.id, kind: info.kind, side: info.side, from: info.from, to: info.to }, 'call transferred');
    this.report(() => this.opts.sink?.transferred(call, info));
  }

  /**
   * An attended transfer succeeded (transfer.ts): the consultation call ends (reason `transferred`) and its
   * other party's dialog, as a new leg (new id) of the referrer's call, takes the referrer's place.
   */
  private merge(referrer: { call: Call; side: Side }, consult: { call: Call; side: Side }, info: TransferInfo): void {
    const other = consult.call;
    const side = otherSide(consult.side);
    const dialog = sideDialog(other, side);
    if (!dialog) return;
    const party = partyOf(other, sideName(side));
    const source = other.legs.find((l) => l.dialog === dialog);
    for (const l of other.legs) if (l.state === 'answered') l.state = 'ended';
    this.end(other, consult.side === 'inbound' ? 'caller' : 'callee', 200, 'transferred');
    const leg: CallLeg = {
      id: randomUUID(), contact: source?.contact ?? dialog.remoteTarget, destination: source?.destination ?? other.inbound.source,
      state: 'answered', status: 200, invite: source?.invite ?? other.inbound.tx!.request, provisional: true, cancelPending: false, dialog,
    };
    this.adopt(referrer.call, referrer.side, leg, party, info);
  }

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
    if (tx.request.method === 'REFER') {
      // Transfer from either side (transfer.ts); not while a relayed re-INVITE is pending (its 3PCC
      // re-INVITEs would cross it).
      if (this.relay.busy(call)) tx.respond(this.reply(tx.request, 491, 'Request Pending', dialog.localTag));
      else this.transfers.refer(entry, tx);
      return true;
    }
    if (tx.request.method !== 'BYE') {
      // re-INVITE and INFO go to the other side (in-dialog.ts; a re-INVITE while a transfer renegotiates
      // the call would cross its 3PCC re-INVITEs: 491); UPDATE, ...: not served yet.
      if (tx.request.method === 'INVITE' && this.transfers.busy(call)) {
        tx.respond(this.reply(tx.request, 491, 'Request Pending', dialog.localTag));
        return true;
      }
      const peer = sideDialog(call, otherSide(side));
      if (!peer || !this.relay.relay(call, side, dialog, peer, tx)) tx.respond(this.reply(tx.request, 488, 'Not Acceptable Here', dialog.localTag));
      return true;
    }
    this.opts.log.debug({ call: call.id, side, from: `${source.address}:${source.port}` }, 'bye received');
    tx.respond(this.reply(tx.request, 200, 'OK', dialog.localTag));
    transition(dialog, DialogEvent.Bye);
    if (this.transfers.released(call, side)) {
      // The referrer left during its transfer: only its dialog ends (transfer.ts).
      this.dialogs.delete(key!);
      for (const l of call.legs) if (l.dialog === dialog) l.state = 'ended';
      return true;
    }
    const other = sideDialog(call, otherSide(side));
    if (other && other.state !== DialogState.Terminated) this.bye(other);
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
    this.answers.clear();
    this.legTimers.clear();
  }

  /**
   * An ACK for a 2xx (core.ts): the caller's ACK for our answer stops its retransmissions (§13.3.1.4);
   * otherwise absorbed (the callee was ACKed by us already).
   */
  acknowledged(request: SipRequest): void {
    const key = incomingKey(request);
    const entry = key === undefined ? undefined : this.dialogs.get(key);
    if (!entry || entry.side !== 'inbound' || entry.call.inbound.dialog !== entry.dialog) return;
    const { call } = entry;
    if (!call.inbound.tx || getCSeq(request)?.seq !== getCSeq(call.inbound.tx.request)?.seq) return; // the ACK of a re-INVITE's 2xx
    if (this.answers.stop(call)) this.opts.log.debug({ call: call.id }, 'answer acknowledged');
  }

  /** §13.3.1.4: our 2xx got no ACK within 64*T1: BYE to both sides, the call ends (system, 'no ACK'). */
  private noAck(call: Call): void {
    if (call.state !== CallState.Answered) return;
    this.opts.log.warn({ call: call.id }, 'no ACK for the answer: call ended');
    this.hangupAnswered(call);
    this.end(call, 'system', 408, 'no ACK');
  }

  /** BYE to the caller and every answered leg (the call is ended by the caller of this). */
  private hangupAnswered(call: Call): void {
    if (call.inbound.dialog && call.inbound.dialog.state !== DialogState.Terminated) this.bye(call.inbound.dialog);
    for (const l of call.legs) {
      if (l.state !== 'answered') continue;
      l.state = 'ended';
      if (l.dialog && l.dialog.state !== DialogState.Terminated) this.bye(l.dialog);
    }
  }

  /**
   * End a live call from outside SIP (API `POST /v1/calls/:id/hangup`): answered, BYE both sides;
   * trying or ringing, 480 Temporarily Unavailable to the caller and every leg CANCELled (§9.1). Hung up
   * by 'system' with `reason` (which names who asked); null when the call is not live on this node.
   */
  hangup(id: string, reason: string): CallInfo | null {
    const call = this.calls.get(id);
    if (!call) return null;
    if (call.state === CallState.Answered) {
      this.hangupAnswered(call);
      this.end(call, 'system', 200, reason);
    } else {
      if (call.inbound.tx) this.final(call.inbound.tx, { status: 480, reason: 'Temporarily Unavailable' }, call.inbound.localTag);
      for (const leg of call.legs) this.cancelLeg(leg);
      this.end(call, 'system', 480, reason);
    }
    return callInfo(call);
  }

  /** Timer C fired on a leg (§16.7 step 2): CANCEL it (after a provisional) and count it as 408. */
  private timerC(call: Call, leg: CallLeg): void {
    if (leg.state !== 'calling' && leg.state !== 'ringing') return;
    this.opts.log.info({ call: call.id, contact: leg.contact, provisional: leg.provisional }, 'timer C: leg given up');
    this.cancelLeg(leg);
    leg.status = 408;
    this.legFailed(call, leg, 408);
  }

  private async start(tx: InviteServerTransaction, source: TransportSource): Promise<void> {
    const request = tx.request;
    if (this.opts.trunks && !this.registeredSource(source)) {
      const trunk = await this.opts.trunks.inbound(source);
      if (trunk) return this.fromTrunk(tx, source, trunk);
    }
    // Agents and digest trunks share the 407 challenge; the credentials' user name picks whose HA1 is
    // checked (trunk-calls.ts `digestUser`: a trunk user name has a non-digit, an extension has none).
    const user = digestUser(request, this.opts.realm);
    const digestTrunk = this.opts.trunks && user !== undefined && !isExtension(user) ? await this.opts.trunks.inboundDigest(user) : null;
    const auth = await this.opts.auth.verify(request, {
      realm: this.opts.realm, header: 'Proxy-Authorization',
      lookup: (u) => (digestTrunk ? Promise.resolve(u === user ? digestTrunk.ha1 : null) : this.opts.credentials.lookup(u)),
    });
    if (!auth.ok) {
      if (auth.reason !== 'missing' && auth.reason !== 'stale') this.opts.bans?.recordFailure(source.address);
      return this.final(tx, { status: 407, reason: 'Proxy Authentication Required', headers: auth.challenge.map((c) => ['Proxy-Authenticate', c]) });
    }
    this.opts.bans?.recordSuccess(source.address);
    if (digestTrunk) {
      this.opts.trunks!.authenticated(digestTrunk.name, source);
      return this.fromTrunk(tx, source, digestTrunk);
    }
    tx.respond(this.reply(request, 100, 'Trying'));
    const fromUri = getFrom(request)?.uri;
    const caller = fromUri && isSipUri(fromUri) && fromUri.user !== undefined ? unescape(fromUri.user) : undefined;
    if (caller !== auth.username) return this.final(tx, { status: 403, reason: 'Forbidden' });
    if (!this.registeredFrom(caller, source)) return this.final(tx, { status: 403, reason: 'Forbidden: not registered from this address' });
    if (getHeader(request, 'Replaces') !== undefined) return replaceDialog(this.replacing, tx, source, caller); // RFC 3891 §3
    const target = userOf(request.uri);
    if (target === undefined) return this.final(tx, { status: 404, reason: 'Not Found' });
    if (target === caller) return this.final(tx, { status: 482, reason: 'Loop Detected' });
    if (!(await this.opts.agents.exists(target))) return this.fromAgentOut(tx, source, caller, target);
    if (this.busy(caller) || this.busy(target)) return this.final(tx, BUSY);
    if (tx.lastResponse && tx.lastResponse.status >= 200) return; // cancelled meanwhile
    const bindings = this.opts.registrar.bindings(target);
    if (bindings.length === 0) return this.final(tx, { status: 480, reason: 'Temporarily Unavailable' });
    this.setup(tx, source, caller, target, bindings);
  }

  /** An INVITE from a trunk (trunk-calls.ts): a number routed to an agent, else 404/480/486/503. */
  private async fromTrunk(tx: InviteServerTransaction, source: TransportSource, trunk: InboundTrunk): Promise<void> {
    tx.respond(this.reply(tx.request, 100, 'Trying'));
    const number = userOf(tx.request.uri);
    const route = number === undefined ? null : await this.opts.trunks!.number(number);
    if (!route || number === undefined) return this.final(tx, NOT_FOUND);
    if (route.type !== 'agent') return this.final(tx, notAgentAnswer(route));
    if (trunkFull(this.calls.values(), trunk.name, trunk.maxCalls)) return this.final(tx, TRUNK_FULL);
    if (this.busy(route.key)) return this.final(tx, BUSY);
    if (tx.lastResponse && tx.lastResponse.status >= 200) return; // cancelled meanwhile
    const bindings = this.opts.registrar.bindings(route.key);
    if (bindings.length === 0) return this.final(tx, { status: 480, reason: 'Temporarily Unavailable' });
    const fromUri = getFrom(tx.request)?.uri;
    const caller = (fromUri && isSipUri(fromUri) && fromUri.user !== undefined ? unescape(fromUri.user) : 'anonymous').slice(0, 32);
    this.setup(tx, source, caller, number, bindings, { direction: 'inbound', trunk: trunk.name, agents: [route.key] });
  }

  /** An agent dialling something that is not an extension: a number, else out through a trunk. */
  private async fromAgentOut(tx: InviteServerTransaction, source: TransportSource, caller: string, target: string): Promise<void> {
    const routed = await routeOut(this.routeDeps(), caller, target);
    if ('status' in routed) return this.final(tx, routed);
    if (tx.lastResponse && tx.lastResponse.status >= 200) return; // cancelled meanwhile
    this.setup(tx, source, caller, target, routed.bindings, routed.kind, routed.trunk);
  }

  /** The routing of an agent's calls (route-target.ts): live calls, limits, trunks. */
  private routeDeps(): RouteDeps {
    return {
      exists: (ext) => this.opts.agents.exists(ext), bindings: (ext) => this.opts.registrar.bindings(ext), busy: (ext) => this.busy(ext),
      calls: () => this.calls.values(), ...(this.opts.trunks ? { trunks: this.opts.trunks } : {}),
    };
  }

  /** Click-to-call (originate.ts): ring the agent `from`, then connect it to `to`; throws HotlineError. */
  originate(from: string, to: string): Promise<CallInfo> {
    return this.originator.originate(from, to);
  }

  /** An originated call is live (originate.ts step 2). */
  private started(call: Call): void {
    this.calls.set(call.id, call);
    this.opts.log.info({ call: call.id, from: call.from, to: call.to, legs: call.legs.length }, 'call originated');
    this.report(() => this.opts.sink?.started(call));
  }

  /** An originated call's agent answered with an offer (originate.ts step 3): its dialog is the caller side; INVITE the target. */
  private connect(call: Call, routed: Routed): void {
    const dialog = call.inbound.dialog;
    if (!dialog) return;
    this.dialogs.set(keyOf(dialog), { call, side: 'inbound', dialog });
    // The target's devices now (they may have changed while the agent's phone rang).
    const target = call.agents[call.agents.length - 1];
    const legs = routed.trunk ? [this.trunkLeg(call, routed.trunk)] : this.opts.registrar.bindings(target ?? call.to).map((b) => this.newLeg(call, b));
    if (legs.length === 0) return this.end(call, 'system', 480, 'Temporarily Unavailable');
    call.legs.push(...legs);
    for (const leg of legs) this.offer(call, leg);
  }

  private setup(
    tx: InviteServerTransaction, source: TransportSource, caller: string, target: string, bindings: Binding[],
    kind: Pick<Call, 'direction' | 'trunk' | 'agents'> = { direction: 'internal', trunk: null, agents: [caller, target] }, out?: OutboundTrunk,
  ): void {
    const call: Call = {
      id: randomUUID(), from: caller, to: target, ...kind, state: CallState.Trying,
      startedAt: new Date(), ringingAt: null, answeredAt: null, endedAt: null, hangupBy: null, status: null, reason: null,
      inbound: { tx, source, localTag: newTag() }, legs: [],
    };
    this.calls.set(call.id, call);
    this.byInvite.set(tx, call);
    call.legs = out ? [this.trunkLeg(call, out)] : bindings.map((b) => this.newLeg(call, b));
    this.opts.log.info({ call: call.id, from: caller, to: target, legs: bindings.length }, 'call started');
    this.report(() => this.opts.sink?.started(call));
    for (const leg of [...call.legs]) this.offer(call, leg);
  }

  /** Whether the agent is at its concurrent call limit. */
  private busy(extension: string): boolean {
    return agentBusy(this.calls.values(), extension, this.opts.maxCallsPerAgent ?? 2);
  }

  private registeredFrom(aor: string, source: TransportSource): boolean {
    return this.opts.registrar.bindings(aor).some((b) =>
      b.source.transport === source.transport && b.source.address === source.address && b.source.port === source.port);
  }

  /** Whether an agent registered from this source (its INVITEs are agents' calls, never a trunk's). */
  private registeredSource(source: TransportSource): boolean {
    return this.opts.registrar.hasSource(source.transport, source.address, source.port);
  }

  /** The one leg of an outbound call: `sip:<number>@<trunk host:port>` sent to the trunk, From the caller id. */
  private trunkLeg(call: Call, trunk: OutboundTrunk): CallLeg {
    const d = trunk.destination;
    const hostPort = `${trunk.host.includes(':') && !trunk.host.startsWith('[') ? `[${trunk.host}]` : trunk.host}:${d.port}`;
    const uri = `sip:${call.to}@${hostPort}${d.transport === 'udp' ? '' : `;transport=${d.transport}`}`;
    const invite = this.newInvite(call, uri, d.transport, this.opts.local(d.transport));
    for (const h of invite.headers) {
      if (h.name === 'From') h.value = h.value.replace(/^<sip:[^@]*@/, `<sip:${trunk.callerId}@`);
      if (h.name === 'To') h.value = `<sip:${call.to}@${hostPort}>`;
    }
    return {
      id: randomUUID(), contact: uri, destination: { ...d }, state: 'calling', status: null, invite, provisional: false, cancelPending: false,
      ...(trunk.credentials ? { credentials: trunk.credentials } : {}),
    };
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
      if (leg.state === 'calling') this.legTimers.arm(leg, () => this.timerC(call, leg));
    } catch (err) {
      this.opts.log.warn({ call: call.id, err: err instanceof Error ? err.message : String(err) }, 'leg not started');
      this.legFailed(call, leg, 503);
    }
  }

  private newInvite(call: Call, contact: string, transport: TransportName, local: { host: string; port: number } | null): SipRequest {
    const host = local ? `${local.host.includes(':') ? `[${local.host}]` : local.host}:${local.port}` : 'hotline.invalid';
    // The caller's offer: its INVITE's SDP, or (originated calls) the agent's 2xx's (RFC 3725 flow I).
    const caller = call.inbound.tx?.request ?? call.inbound.offer;
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
    const type = caller && getHeader(caller, 'Content-Type');
    if (type !== undefined) headers.push({ name: 'Content-Type', value: type });
    return { kind: 'request', method: 'INVITE', uri: contact, version: SIP_VERSION, headers, body: Buffer.from(caller?.body ?? '') };
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
    // Timer C: restarted by a provisional response, stopped by a final one (§16.7 step 2).
    if (event.type === 'response' && event.response.status < 200) this.legTimers.restart(leg);
    else this.legTimers.stop(leg);
    if (event.type !== 'response') return this.legFailed(call, leg, event.response.status);
    const res = event.response;
    if (res.status < 200) return this.legProvisional(call, leg, res);
    if (res.status < 300) return this.legAnswered(call, leg, res);
    if ((res.status === 401 || res.status === 407) && this.authorize(call, leg, res)) return;
    this.legFailed(call, leg, res.status);
  }

  /** A trunk's 401/407: the INVITE once more with credentials (trunk-calls.ts); false when not possible. */
  private authorize(call: Call, leg: CallLeg, res: SipResponse): boolean {
    if (!leg.credentials || leg.authTried || leg.state !== 'calling') return false;
    const invite = authorizedInvite(leg.invite, res, leg.credentials);
    if (!invite) return false;
    leg.authTried = true;
    leg.invite = invite;
    leg.provisional = false;
    this.offer(call, leg);
    return true;
  }

  /** Step 4 (and a pending CANCEL of step 5). */
  private legProvisional(call: Call, leg: CallLeg, res: SipResponse): void {
    leg.provisional = true;
    if (leg.cancelPending) {
      this.send(cancelRequest(leg), leg.destination);
      return;
    }
    if (res.status === 100) return;
    if (leg.state === 'calling') leg.state = 'ringing';
    if ((res.status !== 180 && res.status !== 183) || call.state !== CallState.Trying) return;
    callTransition(call, CallEvent.Ringing);
    call.ringingAt = new Date();
    const tx = call.inbound.tx;
    if (tx) {
      const relay = this.reply(tx.request, res.status, res.reason, call.inbound.localTag);
      relay.headers.push({ name: 'Contact', value: this.contact(call.to, call.inbound.source.transport) });
      copyBody(res, relay);
      tx.respond(relay);
    }
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
    if (inbound.tx) {
      const ok = this.reply(inbound.tx.request, res.status, res.reason, inbound.localTag);
      ok.headers.push({ name: 'Contact', value: this.contact(call.to, inbound.source.transport) });
      copyBody(res, ok);
      inbound.tx.respond(ok);
      if (!isReliable(inbound.source.transport)) {
        // §13.3.1.4: retransmit the 2xx (T1 doubling to T2) until the ACK; none within 64*T1 ends the call.
        this.answers.start(call, () => sendStateless(this.signal, ok, inbound.source, '2xx retransmission'), () => this.noAck(call));
      }
      inbound.dialog = uasDialog(inbound.tx.request, inbound.localTag, inbound.source, DialogState.Confirmed);
      this.dialogs.set(keyOf(inbound.dialog), { call, side: 'inbound', dialog: inbound.dialog });
    } else {
      // Originated call: the callee's answer goes to the agent in the ACK of its 2xx (originate.ts).
      this.originator.answered(call, res);
    }
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
    // The callee's legs (an originated call's agent legs, `callerSide`, are not the callee's).
    const legs = call.legs.filter((l) => !l.callerSide);
    if (legs.some((l) => l.state === 'calling' || l.state === 'ringing')) return;
    const best = bestFailure(legs.map((l) => l.status ?? 480));
    if (call.inbound.tx) this.final(call.inbound.tx, best, call.inbound.localTag);
    const refused = legs.some((l) => l.status !== null && l.status >= 400 && l.status !== 408 && l.status !== 503);
    this.end(call, refused ? 'callee' : 'system', best.status, best.reason);
  }

  /** §9.1: CANCEL a leg still ringing (at once, or at its first provisional response). */
  private cancelLeg(leg: CallLeg): void {
    const cancel = cancelLeg(leg);
    if (cancel) this.send(cancel, leg.destination);
  }

  /** §13.2.2.4: the ACK for a leg's 2xx (signal.ts), with the INVITE's CSeq number. */
  private ack(leg: CallLeg, dialog: Dialog): void {
    sendAck(this.signal, dialog, getCSeq(leg.invite)?.seq ?? 1);
  }

  private bye(dialog: Dialog): void {
    sendBye(this.signal, dialog);
  }

  private send(request: SipRequest, destination: TransportSource): void {
    sendUntracked(this.signal, request, destination);
  }

  private end(call: Call, by: HangupBy, status: number, reason: string): void {
    if (!callTransition(call, CallEvent.Ended)) return;
    call.endedAt = new Date();
    call.hangupBy = by;
    call.status = status;
    call.reason = reason;
    this.calls.delete(call.id);
    this.transfers.ended(call);
    this.answers.stop(call);
    for (const leg of call.legs) this.legTimers.stop(leg);
    if (call.inbound.tx) this.byInvite.delete(call.inbound.tx);
    else this.originator.ended(call);
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

  private report(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'call sink failed');
    }
  }
}
