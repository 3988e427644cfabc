/**
 * Click-to-call (API `POST /v1/calls/originate {from, to}`): third-party call control, RFC 3725 flow I.
 *
 *   1. Checks before anything rings: `from` is an agent (else 404), with a registered device (409), not at
 *      `sip.maxCallsPerAgent` (409); `to` routes exactly as when the agent dials it (route-target.ts:
 *      an extension, a number, or out through a trunk, with the same busy and trunk limits): 404 when
 *      nothing routes it, 409 busy/unreachable/trunk full, 400 for the agent itself.
 *   2. The call exists at once (state trying, call.started, the API answers 202): an offerless INVITE
 *      (offerless.ts) to every registered device of the agent (fork: first 2xx wins, the others are
 *      CANCELled, §9.1; a later 2xx is ACKed and ended with BYE). These legs are the caller side
 *      (`callerSide`) of the call; Timer C applies to them as to any leg (call-timers.ts).
 *   3. The agent's 2xx carries an offer: its dialog becomes the call's caller-side dialog and the B2BUA
 *      INVITEs the target with that offer (b2bua.ts `connect`, the usual legs: fork, trunk auth, Timer C).
 *      The agent's 2xx is not ACKed yet: the answer is not known.
 *   4. The target's 2xx carries the answer: the B2BUA ACKs the target, and the ACK of the agent's 2xx
 *      carries the answer (`answered`). From then on the call is an ordinary answered call (BYE, re-INVITE,
 *      INFO, transfer, `hangup`).
 *   Failures end the call cleanly: every agent device failed or did not answer: the call ends with the best
 *   failure (hangupBy caller when the agent declined, else system); the agent answered without an offer:
 *   488; the target failed: its best failure ends the call, the agent's 2xx is ACKed with an answer
 *   rejecting every stream (RFC 3264 §6) and the agent gets BYE (`ended`).
 *
 * Known limit of flow I (RFC 3725 §5): the agent's device waits for our ACK while the target rings; a
 * device that gives up after 64*T1 without ACK (§13.3.1.4) sends BYE, which ends the call (by caller).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Binding } from '../sip/bindings.js';
import { type Dialog, DialogState, uacDialog } from '../sip/dialog.js';
import { getCSeq } from '../sip/fields.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { newTag } from '../sip/transaction-messages.js';
import type { ClientEvent, TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { Conflict, type HotlineError, InvalidInput, NotFound } from '../errors.js';
import { bestFailure, cancelLeg, cancelRequest, type Call, type CallInfo, callInfo, type CallLeg, CallState, type HangupBy } from './call.js';
import type { LegTimers } from './call-timers.js';
import { offerlessLeg, rejectingAnswer } from './offerless.js';
import { buildAck, sendBye, sendStateless, sendUntracked } from './signal.js';
import type { Routed } from './route-target.js';
import type { Answer } from './trunk-calls.js';

/** A SIP failure the routing answered (404, 480, 482, 486, 503, ...). */
export type RouteFailure = Answer;

export interface OriginatePorts {
  layer: Pick<TransactionLayer, 'sendRequest' | 'sendStateless'>;
  log: Logger;
  via(transport: TransportName, branch?: string): string;
  contact(user: string, transport: TransportName): string;
  timers: LegTimers<CallLeg>;
  exists(extension: string): Promise<boolean>;
  bindings(extension: string): Binding[];
  busy(extension: string): boolean;
  route(caller: string, target: string): Promise<Routed | RouteFailure>;
  /** A new live call (the B2BUA's calls, call.started). */
  started(call: Call): void;
  /** The agent answered with an offer (its dialog is `call.inbound.dialog`): INVITE the target. */
  connect(call: Call, routed: Routed): void;
  end(call: Call, by: HangupBy, status: number, reason: string): void;
}

/** The agent side of an originated call. */
interface AgentSide {
  forks: CallLeg[];
  routed: Routed;
  winner?: CallLeg;
  /** The ACK of the winner's 2xx, once sent (resent for each retransmitted 2xx, §13.2.2.4). */
  ack?: SipRequest;
}

/** The API error for a routing failure of `to`. */
function routeError(to: string, f: RouteFailure): HotlineError {
  if (f.status === 404) return new NotFound('extension or number', to);
  if (f.status === 482) return new InvalidInput('from and to are the same agent', [{ path: '/to', message: 'must be another party than from' }]);
  if (f.status === 486) return new Conflict(`${to} cannot take another call (busy, or the agent's call limit is reached)`);
  if (f.status === 503) return new Conflict(`${to}: the trunk is at its call limit`);
  return new Conflict(`${to} cannot be reached now (${f.status} ${f.reason})`);
}

export class Originator {
  private readonly sides = new Map<Call, AgentSide>();

  constructor(private readonly ports: OriginatePorts) {}

  /** Steps 1-2 (file comment); resolves with the new call (trying) or throws a HotlineError. */
  async originate(from: string, to: string): Promise<CallInfo> {
    if (from === to) throw new InvalidInput('from and to are the same agent', [{ path: '/to', message: 'must be another party than from' }]);
    if (!(await this.ports.exists(from))) throw new NotFound('agent', from);
    if (this.ports.bindings(from).length === 0) throw new Conflict(`agent ${from} has no registered device`);
    if (this.ports.busy(from)) throw new Conflict(`agent ${from} is at its concurrent call limit (sip.maxCallsPerAgent)`);
    const routed = await this.ports.route(from, to);
    if ('status' in routed) throw routeError(to, routed);
    const bindings = this.ports.bindings(from); // again: the lookups above were asynchronous
    if (bindings.length === 0) throw new Conflict(`agent ${from} has no registered device`);
    const forks = bindings.map((b) => Object.assign(offerlessLeg(this.ports, b, to, from), { callerSide: true }));
    const call: Call = {
      id: randomUUID(), from, to, ...routed.kind, state: CallState.Trying,
      startedAt: new Date(), ringingAt: null, answeredAt: null, endedAt: null, hangupBy: null, status: null, reason: null,
      inbound: { source: { ...forks[0]!.destination }, localTag: newTag() }, legs: [...forks],
    };
    this.sides.set(call, { forks, routed });
    this.ports.started(call);
    for (const leg of forks) this.offer(call, leg);
    return callInfo(call);
  }

  /** Step 4: the target answered with `answer`: ACK the agent's 2xx with it. */
  answered(call: Call, answer: SipResponse): void {
    const side = this.sides.get(call);
    const dialog = side?.winner?.dialog;
    if (!side?.winner || !dialog) return;
    side.ack = this.ackRequest(side.winner, dialog, answer.body.length > 0 ? answer : undefined);
    this.sendAck(side.ack, dialog);
  }

  /**
   * The call ended (b2bua.ts `end`, e.g. the agent hung up while the target rang): every leg still trying
   * or ringing (the agent's forks, the target's legs) is CANCELled; an un-ACKed agent gets ACK (rejecting
   * its offer) and BYE.
   */
  ended(call: Call): void {
    const side = this.sides.get(call);
    if (!side) return;
    this.sides.delete(call);
    for (const leg of call.legs) {
      this.ports.timers.stop(leg);
      this.stop(leg);
    }
    const w = side.winner;
    if (!w?.dialog) return;
    if (w.dialog.state !== DialogState.Terminated) {
      if (!side.ack) {
        const ack = this.ackRequest(w, w.dialog, undefined);
        if (call.inbound.offer && call.inbound.offer.body.length > 0) {
          ack.headers.push({ name: 'Content-Type', value: 'application/sdp' });
          ack.body = rejectingAnswer(call.inbound.offer.body);
        }
        this.sendAck(ack, w.dialog);
      }
      this.bye(w.dialog);
    }
    if (w.state === 'answered') w.state = 'ended';
  }

  private offer(call: Call, leg: CallLeg): void {
    try {
      this.ports.layer.sendRequest(leg.invite, leg.destination, (event) => this.agentEvent(call, leg, event));
      if (leg.state === 'calling') this.ports.timers.arm(leg, () => this.timerC(call, leg));
    } catch (err) {
      this.ports.log.warn({ call: call.id, err: err instanceof Error ? err.message : String(err) }, 'agent leg not started');
      this.agentFailed(call, leg, 503);
    }
  }

  private agentEvent(call: Call, leg: CallLeg, event: ClientEvent): void {
    if (event.type === 'terminated') return;
    const res = event.response;
    if (event.type === 'response' && res.status < 200) {
      this.ports.timers.restart(leg);
      leg.provisional = true;
      if (leg.cancelPending) return this.send(cancelRequest(leg), leg.destination);
      if (leg.state === 'calling' && res.status > 100) leg.state = 'ringing';
      return;
    }
    this.ports.timers.stop(leg);
    if (event.type === 'response' && res.status < 300) return this.agentAnswered(call, leg, res);
    this.agentFailed(call, leg, res.status);
  }

  /** Step 3. */
  private agentAnswered(call: Call, leg: CallLeg, res: SipResponse): void {
    const side = this.sides.get(call);
    if (leg.dialog) {
      // A retransmitted 2xx: ACK it again once the answer was sent (§13.2.2.4); before that, wait.
      if (side?.ack && side.winner === leg) this.sendAck(side.ack, leg.dialog);
      return;
    }
    const dialog = (leg.dialog = uacDialog(leg.invite, res, leg.destination));
    leg.status = res.status;
    if (!side || side.winner || call.state !== CallState.Trying) {
      // Another device answered first, or the call is over: ACK (rejecting the offer) and BYE.
      const ack = this.ackRequest(leg, dialog, undefined);
      if (res.body.length > 0) {
        ack.headers.push({ name: 'Content-Type', value: 'application/sdp' });
        ack.body = rejectingAnswer(res.body);
      }
      this.sendAck(ack, dialog);
      this.bye(dialog);
      leg.state = 'ended';
      return;
    }
    side.winner = leg;
    leg.state = 'answered';
    for (const other of side.forks) if (other !== leg) this.stop(other);
    call.inbound = { source: { ...leg.destination }, localTag: dialog.localTag, dialog, offer: res };
    if (res.body.length === 0) {
      this.ports.log.info({ call: call.id, contact: leg.contact }, 'originate: the agent answered without an offer');
      this.ports.end(call, 'system', 488, `agent ${call.from} answered without an SDP offer`);
      return;
    }
    this.ports.log.info({ call: call.id, contact: leg.contact, to: call.to }, 'originate: agent answered, calling the target');
    this.ports.connect(call, side.routed);
  }

  /** Every agent device failed (or was given up): the call ends with the best failure. */
  private agentFailed(call: Call, leg: CallLeg, status: number): void {
    if (leg.state !== 'cancelled') leg.state = 'failed';
    leg.status ??= status;
    const side = this.sides.get(call);
    if (!side || side.winner || call.state !== CallState.Trying) return;
    if (side.forks.some((l) => l.state === 'calling' || l.state === 'ringing')) return;
    const best = bestFailure(side.forks.map((l) => l.status ?? 480));
    const declined = side.forks.some((l) => l.status !== null && l.status >= 400 && ![408, 487, 503].includes(l.status));
    this.ports.end(call, declined ? 'caller' : 'system', best.status, `agent ${call.from}: ${best.reason}`);
  }

  /** Timer C on an agent leg (§16.7 step 2): CANCEL it and count it as 408. */
  private timerC(call: Call, leg: CallLeg): void {
    if (leg.state !== 'calling' && leg.state !== 'ringing') return;
    this.stop(leg);
    leg.status = 408;
    this.agentFailed(call, leg, 408);
  }

  /** §9.1: CANCEL a fork still trying or ringing (at once, or at its first provisional response). */
  private stop(leg: CallLeg): void {
    const cancel = cancelLeg(leg);
    if (cancel) this.send(cancel, leg.destination);
  }

  /** §13.2.2.4: the ACK for the 2xx of a leg's INVITE (signal.ts), with `answer`'s SDP. */
  private ackRequest(leg: CallLeg, dialog: Dialog, answer: SipResponse | undefined): SipRequest {
    return buildAck(this.ports, dialog, getCSeq(leg.invite)?.seq ?? 1, answer);
  }

  private sendAck(ack: SipRequest, dialog: Dialog): void {
    sendStateless(this.ports, ack, dialog.peer, 'ack');
  }

  private bye(dialog: Dialog): void {
    sendBye(this.ports, dialog);
  }

  private send(request: SipRequest, destination: TransportSource): void {
    sendUntracked(this.ports, request, destination);
  }
}
