/**
 * A call through the B2BUA: one inbound leg (we are its UAS) and outbound legs (we are their UAC), one
 * per registered contact of the target (forking). The call's state is an explicit enum plus a
 * transition table; legs have their own small state.
 *
 * An answered call has two sides, each with one confirmed dialog (`sideDialog`): the caller side (the
 * inbound UAS dialog) and the callee side (the answered outbound leg). A transfer (transfer.ts) replaces
 * one side's party and dialog: a callee-side transfer adds the target's leg as the new callee leg; a
 * caller-side one adds the target's leg with `callerSide` set and makes its dialog `inbound.dialog`.
 * `partyOf`/`setParty` keep from/to, agents, direction and trunk coherent with the two parties.
 */
import type { Dialog } from '../sip/dialog.js';
import { getCSeq } from '../sip/fields.js';
import { getHeader, SIP_VERSION, type SipRequest, type SipResponse } from '../sip/message.js';
import type { InviteServerTransaction } from '../sip/server-transaction.js';
import type { TransportSource } from '../sip/transport-connections.js';

export enum CallState {
  /** INVITE accepted, legs being offered. */
  Trying = 'trying',
  /** A leg rang (180/183 relayed to the caller). */
  Ringing = 'ringing',
  /** A leg answered; both dialogs confirmed. */
  Answered = 'answered',
  Ended = 'ended',
}

export enum CallEvent {
  Ringing = 'ringing',
  Answered = 'answered',
  Ended = 'ended',
}

/** The call's transitions; anything missing is ignored (e.g. a late 180 after the answer). */
export const CALL_TABLE: { readonly [s in CallState]: { readonly [e in CallEvent]?: CallState } } = {
  [CallState.Trying]: { [CallEvent.Ringing]: CallState.Ringing, [CallEvent.Answered]: CallState.Answered, [CallEvent.Ended]: CallState.Ended },
  [CallState.Ringing]: { [CallEvent.Answered]: CallState.Answered, [CallEvent.Ended]: CallState.Ended },
  [CallState.Answered]: { [CallEvent.Ended]: CallState.Ended },
  [CallState.Ended]: {},
};

export type HangupBy = 'caller' | 'callee' | 'system';

export type LegState = 'calling' | 'ringing' | 'answered' | 'failed' | 'cancelled' | 'ended';

export interface CallLeg {
  id: string;
  /** The registered contact URI (the INVITE's Request-URI). */
  contact: string;
  /** Where the leg's requests go: the binding's source. */
  destination: TransportSource;
  state: LegState;
  /** Final status of the leg's INVITE, when it got one. */
  status: number | null;
  invite: SipRequest;
  /** Any provisional response arrived (a CANCEL may be sent only after one, §9.1). */
  provisional: boolean;
  /** CANCEL wanted before a provisional arrived: sent at the first one. */
  cancelPending: boolean;
  dialog?: Dialog;
  /** A trunk leg's outbound credentials: a 401/407 is answered once (trunk-calls.ts). */
  credentials?: { username: string; password: string };
  authTried?: boolean;
  /** The leg serves the caller side: it replaced the caller by a transfer (its dialog is `inbound.dialog`). */
  callerSide?: boolean;
}

export interface InboundLeg {
  /**
   * The caller's INVITE. Absent for a call the server originated (click-to-call, originate.ts): there the
   * caller side is the agent's device we called (a `callerSide` leg whose dialog is `dialog`).
   */
  tx?: InviteServerTransaction;
  source: TransportSource;
  /** Our To tag towards the caller (originated: our From tag towards the agent's device). */
  localTag: string;
  dialog?: Dialog;
  /** Originated calls: the agent's 2xx, whose SDP offer the outbound legs carry (RFC 3725 flow I). */
  offer?: SipResponse;
}

/** internal: agent to agent; inbound: from a trunk to a number; outbound: from an agent out through a trunk. */
export type CallDirection = 'internal' | 'inbound' | 'outbound';

export interface Call {
  id: string;
  /** Caller and callee: extensions, or the trunk caller's number (inbound) and the dialled number (inbound, outbound). */
  from: string;
  to: string;
  direction: CallDirection;
  /** The trunk an inbound call came through or an outbound call goes through; null for internal calls. */
  trunk: string | null;
  /** The agents' extensions the call occupies (the per-agent call limit counts these). */
  agents: string[];
  state: CallState;
  startedAt: Date;
  ringingAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  hangupBy: HangupBy | null;
  /** The SIP status that ended the call (200 for a normal hang-up after an answer). */
  status: number | null;
  reason: string | null;
  inbound: InboundLeg;
  legs: CallLeg[];
  /** Which sides hold the call (their last re-INVITE offered sendonly/inactive/0.0.0.0; in-dialog.ts). */
  held?: { caller: boolean; callee: boolean };
}

/** A dialog's side of a call: the caller's (`inbound`, we are UAS unless transferred) or the callee's (`outbound`). */
export type Side = 'inbound' | 'outbound';

/** The same sides as events and records name them. */
export type CallSide = 'caller' | 'callee';

export const sideName = (side: Side): CallSide => (side === 'inbound' ? 'caller' : 'callee');
export const otherSide = (side: Side): Side => (side === 'inbound' ? 'outbound' : 'inbound');

/** The confirmed dialog of one side of an answered call (file comment), if any. */
export function sideDialog(call: Call, side: Side): Dialog | undefined {
  if (side === 'inbound') return call.inbound.dialog;
  return call.legs.find((l) => l.state === 'answered' && !l.callerSide)?.dialog;
}

/**
 * One side's party: `id` as `from`/`to` show it (extension or number), the agent's extension (null for a
 * party behind a trunk) and the trunk. `agents` lists the caller side's agent first, the callee side's last.
 */
export interface Party {
  id: string;
  agent: string | null;
  trunk: string | null;
}

export function partyOf(call: Call, side: CallSide): Party {
  if (side === 'caller') {
    const trunk = call.direction === 'inbound';
    return { id: call.from, agent: trunk ? null : call.agents[0] ?? null, trunk: trunk ? call.trunk : null };
  }
  const trunk = call.direction === 'outbound';
  return { id: call.to, agent: trunk ? null : call.agents[call.agents.length - 1] ?? null, trunk: trunk ? call.trunk : null };
}

/**
 * A transfer put `party` on `side`: from/to, agents, direction (a trunk on the caller side: inbound, on the
 * callee side: outbound, none: internal) and trunk follow. A trunk on both sides keeps the caller's trunk.
 */
export function setParty(call: Call, side: CallSide, party: Party): void {
  const caller = side === 'caller' ? party : partyOf(call, 'caller');
  const callee = side === 'callee' ? party : partyOf(call, 'callee');
  call.from = caller.id;
  call.to = callee.id;
  call.agents = [caller.agent, callee.agent].filter((a): a is string => a !== null);
  call.trunk = caller.trunk ?? callee.trunk;
  call.direction = caller.trunk !== null ? 'inbound' : callee.trunk !== null ? 'outbound' : 'internal';
}

/** What a transfer did (event `call.transferred`). */
export interface TransferInfo {
  /**
   * blind: REFER to an extension (RFC 5589 §6); attended: REFER with Replaces naming a consultation call
   * (§7); replaces: an INVITE with Replaces from the same agent's other device took the side (RFC 3891 §3).
   */
  kind: 'blind' | 'attended' | 'replaces';
  /** The side that transferred: its party `from` is replaced by `to`; the other side's party (`transferee`) stays. */
  side: CallSide;
  /** The referrer's agent extension. */
  by: string;
  /** That side's party as the record showed it before (`by`, or the dialled number of a trunk call). */
  from: string;
  /** The new party (the target's extension, or an attended transfer's consultation party). */
  to: string;
  /** The other side's party, who stays in the call. */
  transferee: string;
  /** The REFER's Referred-By header (RFC 3892), if any. */
  referredBy: string | null;
  /** attended: the consultation call, ended with reason `transferred`. */
  replaced: string | null;
}

/** Apply an event through the table; returns whether the state changed. */
export function callTransition(call: Call, event: CallEvent): boolean {
  const next = CALL_TABLE[call.state][event];
  if (next === undefined) return false;
  call.state = next;
  return true;
}

/** The call as the API and the events show it. */
export interface CallInfo {
  id: string;
  from: string;
  to: string;
  direction: CallDirection;
  trunk: string | null;
  state: CallState;
  startedAt: string;
  ringingAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  hangupBy: HangupBy | null;
  status: number | null;
  reason: string | null;
  legs: Array<{ id: string; contact: string; transport: string; state: LegState; status: number | null }>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function callInfo(c: Call): CallInfo {
  return {
    id: c.id, from: c.from, to: c.to, direction: c.direction, trunk: c.trunk, state: c.state,
    startedAt: c.startedAt.toISOString(), ringingAt: iso(c.ringingAt), answeredAt: iso(c.answeredAt), endedAt: iso(c.endedAt),
    hangupBy: c.hangupBy, status: c.status, reason: c.reason,
    legs: c.legs.map((l) => ({ id: l.id, contact: l.contact, transport: l.destination.transport, state: l.state, status: l.status })),
  };
}

/** Told about every step of every call (events, call records); must not throw. */
export interface CallSink {
  started(call: Call): void;
  ringing(call: Call): void;
  answered(call: Call): void;
  ended(call: Call): void;
  /** A transfer replaced one side's party (transfer.ts). */
  transferred(call: Call, transfer: TransferInfo): void;
  /** A side put the call on hold / took it off hold (re-INVITE SDP direction, in-dialog.ts). */
  held(call: Call, by: CallSide): void;
  resumed(call: Call, by: CallSide): void;
}

/**
 * The caller's answer when every leg failed: 6xx passes through (a global decline), 486 stays 486, and
 * everything else (404, 480, 408 timeouts, 503 transport errors, ...) becomes 480 Temporarily Unavailable:
 * the caller learns the callee cannot be reached now, not why.
 */
export function bestFailure(statuses: readonly number[]): { status: number; reason: string } {
  const global = statuses.find((s) => s >= 600);
  if (global !== undefined) return { status: global, reason: global === 603 ? 'Decline' : 'Global Failure' };
  if (statuses.includes(486)) return { status: 486, reason: 'Busy Here' };
  return { status: 480, reason: 'Temporarily Unavailable' };
}

/**
 * §9.1: give up on a leg that is still trying or ringing. A CANCEL may follow only a provisional
 * response, so before one the leg is marked `cancelPending` (send `cancelRequest` at the first one).
 * Returns the CANCEL to send now, if any.
 */
export function cancelLeg(leg: CallLeg): SipRequest | undefined {
  if (leg.state !== 'calling' && leg.state !== 'ringing') return undefined;
  leg.state = 'cancelled';
  leg.status = 487;
  if (!leg.provisional) {
    leg.cancelPending = true;
    return undefined;
  }
  return cancelRequest(leg);
}

/** §9.1: the CANCEL for a leg's INVITE: same Request-URI, top Via, From, To, Call-ID and CSeq number. */
export function cancelRequest(leg: CallLeg): SipRequest {
  leg.cancelPending = false;
  const inv = leg.invite;
  const copy = (name: string) => ({ name, value: getHeader(inv, name) ?? '' });
  const headers = [copy('Via'), { name: 'Max-Forwards', value: '70' }, copy('From'), copy('To'), copy('Call-ID'), { name: 'CSeq', value: `${getCSeq(inv)?.seq ?? 1} CANCEL` }];
  return { kind: 'request', method: 'CANCEL', uri: inv.uri, version: SIP_VERSION, headers, body: Buffer.alloc(0) };
}
