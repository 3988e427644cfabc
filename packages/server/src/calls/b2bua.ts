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
 *  10. re-INVITE (hold/unhold) and INFO in an answered call: relayed to the other leg (in-dialog.ts).
 *  11. Trunks and numbers (trunk-calls.ts): INVITEs from a trunk's networks route by number; an agent's
 *      call to something that is not an extension routes by number or goes out through a trunk; limits.
 *
 * Not yet: 2xx retransmission to a UDP caller until its ACK (§13.3.1.4), UPDATE/REFER (answered
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
import { getHeader, SIP_VERSION, type SipRequest, type SipResponse } from '../sip/message.js';
import type { InviteServerTransaction, ServerTransaction } from '../sip/server-transaction.js';
import { createResponse, newBranch, newTag } from '../sip/transaction-messages.js';
import type { ClientEvent, TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { isSipUri, parseUri, unescape } from '../sip/uri.js';
import { bestFailure, cancelLeg, cancelRequest, type Call, CallEvent, type CallInfo, callInfo, type CallLeg, type CallSink, CallState, callTransition, type HangupBy } from './call.js';
import { InDialogRelay } from './in-dialog.js';
import { Transfers } from './transfer.js';
import { agentBusy, authorizedInvite, BUSY, NOT_FOUND, notAgentAnswer, TRUNK_FULL, trunkFull } from './trunk-calls.js';
import type { InboundTrunk, OutboundTrunk, TrunkPort } from './trunk-port.js';

export interface B2buaOptions {
  layer: Pick<TransactionLayer, 'sendRequest' | 'sendStateless'>;
  registrar: { bindings(aor: string): Binding[]; all(): Binding[] };
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
  /** Trunks and numbers (trunk-calls.ts); without it only agent-to-agent calls. */
  trunks?: TrunkPort;
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
  private readonly relay: InDialogRelay;
  private readonly transfers: Transfers;

  constructor(private readonly opts: B2buaOptions) {
    const ports = {
      layer: opts.layer, log: opts.log,
      via: (t: TransportName, b?: string) => this.via(t, b), contact: (u: string, t: TransportName) => this.contact(u, t),
      reply: (r: SipRequest, s: number, why: string, tag?: string) => this.reply(r, s, why, tag),
    };
    this.relay = new InDialogRelay(ports);
    this.transfers = new Transfers({
      ...ports, bindings: (ext) => opts.registrar.bindings(ext), exists: (ext) => opts.agents.exists(ext),
      adopt: (call, old, leg, target) => this.adopt(call, old, leg, target),
    });
  }

  /** A blind transfer succeeded (transfer.ts): the target's leg replaces the referrer's. */
  private adopt(call: Call, old: CallLeg, leg: CallLeg, target: string): void {
    if (old.dialog) this.dialogs.delete(keyOf(old.dialog));
    call.legs.push(leg);
    if (leg.dialog) this.dialogs.set(keyOf(leg.dialog), { call, side: 'outbound', dialog: leg.dialog });
    this.opts.log.info({ call: call.id, from: call.to, to: target }, 'call transferred');
    call.agents = [...call.agents.filter((ext) => ext !== call.to), target];
    call.to = target;
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
    if (tx.request.method !== 'BYE') {
      // REFER from the callee: blind transfer (transfer.ts); re-INVITE and INFO go to the other leg
      // (in-dialog.ts); UPDATE, REFER from the caller, ...: not served yet.
      const referrer = tx.request.method === 'REFER' && side === 'outbound' ? call.legs.find((l) => l.dialog === dialog && l.state === 'answered') : undefined;
      if (referrer && call.inbound.dialog) {
        this.transfers.refer(call, referrer, dialog, call.inbound.dialog, tx);
        return true;
      }
      const peer = side === 'inbound' ? call.legs.find((l) => l.state === 'answered')?.dialog : call.inbound.dialog;
      if (!peer || !this.relay.relay(call, side, dialog, peer, tx)) tx.respond(this.reply(tx.request, 488, 'Not Acceptable Here', dialog.localTag));
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
    if (this.opts.trunks && !this.registeredSource(source)) {
      const trunk = await this.opts.trunks.inbound(source);
      if (trunk) return this.fromTrunk(tx, source, trunk);
    }
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
    if (!(await this.opts.agents.exists(target))) return this.fromAgentOut(tx, source, caller, target);
    if (agentBusy(this.calls.values(), caller) || agentBusy(this.calls.values(), target)) return this.final(tx, BUSY);
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
    if (agentBusy(this.calls.values(), route.key)) return this.final(tx, BUSY);
    if (tx.lastResponse && tx.lastResponse.status >= 200) return; // cancelled meanwhile
    const bindings = this.opts.registrar.bindings(route.key);
    if (bindings.length === 0) return this.final(tx, { status: 480, reason: 'Temporarily Unavailable' });
    const fromUri = getFrom(tx.request)?.uri;
    const caller = (fromUri && isSipUri(fromUri) && fromUri.user !== undefined ? unescape(fromUri.user) : 'anonymous').slice(0, 32);
    this.setup(tx, source, caller, number, bindings, { direction: 'inbound', trunk: trunk.name, agents: [route.key] });
  }

  /** An agent dialling something that is not an extension: a number, else out through a trunk. */
  private async fromAgentOut(tx: InviteServerTransaction, source: TransportSource, caller: string, target: string): Promise<void> {
    const route = this.opts.trunks ? await this.opts.trunks.number(target) : null;
    if (route && route.type !== 'agent') return this.final(tx, notAgentAnswer(route));
    if (route) {
      if (route.key === caller) return this.final(tx, { status: 482, reason: 'Loop Detected' });
      if (agentBusy(this.calls.values(), caller) || agentBusy(this.calls.values(), route.key)) return this.final(tx, BUSY);
      const bindings = this.opts.registrar.bindings(route.key);
      if (bindings.length === 0) return this.final(tx, { status: 480, reason: 'Temporarily Unavailable' });
      return this.setup(tx, source, caller, target, bindings, { direction: 'internal', trunk: null, agents: [caller, route.key] });
    }
    const trunk = this.opts.trunks ? await this.opts.trunks.outbound(caller) : null;
    if (!trunk) return this.final(tx, NOT_FOUND);
    if (agentBusy(this.calls.values(), caller)) return this.final(tx, BUSY);
    if (trunkFull(this.calls.values(), trunk.name, trunk.maxCalls)) return this.final(tx, TRUNK_FULL);
    if (tx.lastResponse && tx.lastResponse.status >= 200) return; // cancelled meanwhile
    this.setup(tx, source, caller, target, [], { direction: 'outbound', trunk: trunk.name, agents: [caller] }, trunk);
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

  private registeredFrom(aor: string, source: TransportSource): boolean {
    return this.opts.registrar.bindings(aor).some((b) =>
      b.source.transport === source.transport && b.source.address === source.address && b.source.port === source.port);
  }

  /** Whether an agent registered from this source (its INVITEs are agents' calls, never a trunk's). */
  private registeredSource(source: TransportSource): boolean {
    return this.opts.registrar.all().some((b) =>
      b.source.transport === source.transport && b.source.address === source.address && b.source.port === source.port);
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

  /** §9.1: CANCEL a leg still ringing (at once, or at its first provisional response). */
  private cancelLeg(leg: CallLeg): void {
    const cancel = cancelLeg(leg);
    if (cancel) this.send(cancel, leg.destination);
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
