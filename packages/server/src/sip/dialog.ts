/**
 * Dialogs (RFC 3261 §12): the state a UA keeps for one call leg, and the in-dialog requests it builds.
 *
 *   §12.1.1 UAS: created by a 1xx/2xx to an INVITE; remote target = Contact of the INVITE, route set =
 *           Record-Route of the INVITE in order, remote CSeq = the INVITE's, local CSeq empty (we start at 1).
 *   §12.1.2 UAC: created by a 1xx (with To tag) or 2xx; remote target = Contact of the response, route set
 *           = Record-Route of the response in reverse, local CSeq = the INVITE's.
 *   §12.2.1 requests within a dialog: To = remote URI + remote tag, From = local URI + local tag, Call-ID,
 *           CSeq = local CSeq + 1 (ACK for 2xx: the INVITE's number, §13.2.2.4), Request-URI = remote target
 *           with Route = route set (loose routing only; a strict first route is not supported).
 *   §12.2.2 incoming requests are matched by Call-ID, local tag (our To tag) and remote tag (their From tag).
 *
 * Security (DESIGN.md): requests go to the peer the dialog was made with (the packet source or binding
 * source), never to the remote target's host; the Request-URI and Route are only carried.
 *
 * States: Early -> Confirmed -> Terminated (table below); a non-2xx final ends an early dialog (§12.3).
 */
import { getCallId, getContacts, getCSeq, getFrom, getTo } from './fields.js';
import { getHeader, getHeaderValues, SIP_VERSION, type SipHeader, type SipRequest, type SipResponse } from './message.js';
import { getParam } from './syntax.js';
import type { TransportSource } from './transport-connections.js';
import { formatUri } from './uri.js';

export enum DialogState {
  Early = 'early',
  Confirmed = 'confirmed',
  Terminated = 'terminated',
}

export enum DialogEvent {
  /** A 1xx with a To tag (§12.1). */
  Provisional = '1xx',
  /** A 2xx to the INVITE (§12.1, §13.3.1.4). */
  Success = '2xx',
  /** A 3xx-6xx to the INVITE, or its CANCEL (§12.3). */
  Failure = 'failure',
  /** BYE sent or received (§15). */
  Bye = 'bye',
}

/** §12: the transitions; anything missing leaves the state unchanged. */
export const DIALOG_TABLE: { readonly [s in DialogState]: { readonly [e in DialogEvent]?: DialogState } } = {
  [DialogState.Early]: {
    [DialogEvent.Provisional]: DialogState.Early,
    [DialogEvent.Success]: DialogState.Confirmed,
    [DialogEvent.Failure]: DialogState.Terminated,
    [DialogEvent.Bye]: DialogState.Terminated,
  },
  [DialogState.Confirmed]: { [DialogEvent.Bye]: DialogState.Terminated },
  [DialogState.Terminated]: {},
};

export interface Dialog {
  state: DialogState;
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From (UAC) / To (UAS) value without the tag: our address-of-record in this dialog. */
  localUri: string;
  remoteUri: string;
  /** Last CSeq number we used; 0 when none yet (UAS). */
  localSeq: number;
  /** Last CSeq number the peer used; undefined when none yet (UAC). */
  remoteSeq: number | undefined;
  remoteTarget: string;
  /** Route header values, in the order they go into requests. */
  routeSet: string[];
  /** Where our requests go: the peer's packet source or binding source. */
  peer: TransportSource;
}

/** Apply an event through the table; returns the new state. */
export function transition(d: Dialog, event: DialogEvent): DialogState {
  d.state = DIALOG_TABLE[d.state][event] ?? d.state;
  return d.state;
}

/** The value of a From/To header without its tag parameter. */
export function withoutTag(value: string): string {
  return value.replace(/;\s*tag=[^;]*/i, '');
}

const tagOf = (v: { params: ReadonlyArray<{ name: string; value: string | null }> } | undefined) => (v ? getParam(v.params, 'tag') ?? undefined : undefined);

function remoteTargetOf(m: SipRequest | SipResponse, fallback: string): string {
  const contacts = getContacts(m);
  return contacts && contacts !== '*' && contacts[0] ? formatUri(contacts[0].uri) : fallback;
}

/** §12.1.1: the UAS side of a dialog for `invite`, answered with To tag `localTag`. */
export function uasDialog(invite: SipRequest, localTag: string, peer: TransportSource, state = DialogState.Early): Dialog {
  return {
    state,
    callId: getCallId(invite) ?? '',
    localTag,
    remoteTag: tagOf(getFrom(invite)) ?? '',
    localUri: withoutTag(getHeader(invite, 'To') ?? ''),
    remoteUri: withoutTag(getHeader(invite, 'From') ?? ''),
    localSeq: 0,
    remoteSeq: getCSeq(invite)?.seq,
    remoteTarget: remoteTargetOf(invite, invite.uri),
    routeSet: getHeaderValues(invite, 'Record-Route'),
    peer,
  };
}

/** §12.1.2: the UAC side of a dialog from our `invite` and the 1xx/2xx `response` (with a To tag). */
export function uacDialog(invite: SipRequest, response: SipResponse, peer: TransportSource): Dialog {
  return {
    state: response.status >= 200 ? DialogState.Confirmed : DialogState.Early,
    callId: getCallId(invite) ?? '',
    localTag: tagOf(getFrom(invite)) ?? '',
    remoteTag: tagOf(getTo(response)) ?? '',
    localUri: withoutTag(getHeader(invite, 'From') ?? ''),
    remoteUri: withoutTag(getHeader(invite, 'To') ?? ''),
    localSeq: getCSeq(invite)?.seq ?? 1,
    remoteSeq: undefined,
    remoteTarget: remoteTargetOf(response, invite.uri),
    routeSet: getHeaderValues(response, 'Record-Route').reverse(),
    peer,
  };
}

/** The key of a dialog from our side: Call-ID, local tag, remote tag. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/** §12.2.2: the key an incoming in-dialog request matches (our tag is its To tag, theirs its From tag). */
export function incomingKey(request: SipRequest): string | undefined {
  const callId = getCallId(request);
  const local = tagOf(getTo(request));
  const remote = tagOf(getFrom(request));
  return callId === undefined || local === undefined || remote === undefined ? undefined : dialogKey(callId, local, remote);
}

export function keyOf(d: Dialog): string {
  return dialogKey(d.callId, d.localTag, d.remoteTag);
}

export interface RequestParts {
  /** Our top Via value without branch (the transaction layer adds it), e.g. `SIP/2.0/UDP 127.0.0.1:5060;rport`. */
  via: string;
  /** Our Contact header value. */
  contact?: string;
}

/**
 * §12.2.1.1: a request within the dialog. Every method but ACK takes the next local CSeq; an ACK for
 * a 2xx reuses `ackSeq`, the INVITE's number (§13.2.2.4). The ACK for a 2xx needs a branch of its own
 * (it is sent outside any transaction): `parts.via` must carry one.
 */
export function createInDialogRequest(d: Dialog, method: string, parts: RequestParts, ackSeq?: number): SipRequest {
  const seq = method === 'ACK' ? (ackSeq ?? d.localSeq) : ++d.localSeq;
  const headers: SipHeader[] = [{ name: 'Via', value: parts.via }];
  for (const route of d.routeSet) headers.push({ name: 'Route', value: route });
  headers.push(
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: `${d.localUri};tag=${d.localTag}` },
    { name: 'To', value: `${d.remoteUri};tag=${d.remoteTag}` },
    { name: 'Call-ID', value: d.callId },
    { name: 'CSeq', value: `${seq} ${method}` },
  );
  if (parts.contact !== undefined) headers.push({ name: 'Contact', value: parts.contact });
  return { kind: 'request', method, uri: d.remoteTarget, version: SIP_VERSION, headers, body: Buffer.alloc(0) };
}

/**
 * §12.2.2: accept an incoming in-dialog request's CSeq (strictly higher than the last, ACK/CANCEL aside);
 * false means 500 (out of order).
 */
export function acceptRemoteSeq(d: Dialog, request: SipRequest): boolean {
  const seq = getCSeq(request)?.seq;
  if (seq === undefined) return false;
  if (request.method === 'ACK' || request.method === 'CANCEL') return true;
  if (d.remoteSeq !== undefined && seq <= d.remoteSeq) return false;
  d.remoteSeq = seq;
  return true;
}
