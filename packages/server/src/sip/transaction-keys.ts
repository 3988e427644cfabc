/**
 * Matching messages to transactions (RFC 3261 §17.1.3, §17.2.3, §9.2). A key is a string; equal keys
 * mean "the same transaction".
 *
 * Client side (§17.1.3): a response matches the client transaction whose request had the same branch in
 * its top Via and the same method as the response's CSeq (so a CANCEL, which reuses the INVITE's branch
 * (§9.1), has its own transaction).
 *
 * Server side (§17.2.3), when the top Via branch starts with the magic cookie "z9hG4bK": branch, sent-by
 * of the top Via, and method, where an ACK looks for the INVITE transaction and a CANCEL is its own
 * transaction. Without the cookie (an RFC 2543 peer) the request is compared field by field: Request-URI,
 * To tag, From tag, Call-ID, CSeq and top Via; an ACK matches the INVITE on Request-URI, From tag,
 * Call-ID, CSeq number and top Via, and its To tag must equal the To tag of the response the server
 * transaction sent (checked by the layer, see `ServerLookup.ackToTag`).
 */
import { getCallId, getCSeq, getFrom, getTo, getVias } from './fields.js';
import type { SipMessage, SipRequest, SipResponse } from './message.js';
import { getParam } from './syntax.js';
import { formatVia, type Via } from './via.js';

/** §8.1.1.7: branches of RFC 3261 elements begin with this. */
export const MAGIC_COOKIE = 'z9hG4bK';

export function hasMagicCookie(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length;
}

/** Key of a client transaction (§17.1.3): branch + method. */
export function clientKey(branch: string, method: string): string {
  return `c ${branch} ${method}`;
}

/** The client transaction a response belongs to (§17.1.3), or undefined when it has no top Via branch or CSeq. */
export function responseKey(response: SipResponse): string | undefined {
  const branch = getVias(response)?.[0]?.branch;
  const cseq = getCSeq(response);
  return branch === undefined || !cseq ? undefined : clientKey(branch, cseq.method);
}

/** How to find the server transaction of an incoming request. */
export interface ServerLookup {
  key: string;
  /** RFC 2543 ACK: the To tag it carries, which must equal the tag of the transaction's response. */
  ackToTag?: string | null;
}

/** sent-by of a Via (§17.2.3 step 2): host (case-insensitive) and port as written. */
function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

function tagOf(value: { params: { name: string; value: string | null }[] } | undefined): string {
  return (value ? getParam(value.params, 'tag') : undefined) ?? '';
}

interface Parts {
  top: Via;
  seq: number;
  callId: string;
}

function parts(m: SipMessage): Parts | undefined {
  const top = getVias(m)?.[0];
  const cseq = getCSeq(m);
  const callId = getCallId(m);
  return top && cseq && callId !== undefined ? { top, seq: cseq.seq, callId } : undefined;
}

/** §17.2.3, RFC 3261 branch: branch + sent-by + method. */
function cookieKey(top: Via & { branch: string }, method: string): string {
  return `s ${top.branch} ${sentBy(top)} ${method}`;
}

/** §17.2.3, RFC 2543: Request-URI, To tag, From tag, Call-ID, CSeq (number and method), top Via. */
function rfc2543Key(req: SipRequest, p: Parts, method: string): string {
  return ['2543', req.uri, tagOf(getTo(req)), tagOf(getFrom(req)), p.callId, p.seq, method, formatVia(p.top)].join('\n');
}

/** §17.2.3, RFC 2543 ACK: as the INVITE's key without the To tag (matched separately) and without method. */
function rfc2543AckKey(req: SipRequest, p: Parts): string {
  return ['2543-ack', req.uri, tagOf(getFrom(req)), p.callId, p.seq, formatVia(p.top)].join('\n');
}

/** The key to look an incoming request up with (an ACK looks for its INVITE). Undefined: not matchable. */
export function lookupKey(req: SipRequest): ServerLookup | undefined {
  const p = parts(req);
  if (!p) return undefined;
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  if (hasMagicCookie(p.top.branch)) return { key: cookieKey(p.top as Via & { branch: string }, method) };
  if (req.method !== 'ACK') return { key: rfc2543Key(req, p, method) };
  const to = getTo(req);
  return { key: rfc2543AckKey(req, p), ackToTag: to ? (getParam(to.params, 'tag') ?? null) : null };
}

/**
 * The keys a new server transaction for `req` is registered under: its own key and, for an RFC 2543
 * INVITE, the key its ACK will be looked up with. Undefined for an ACK (never a transaction) or a
 * request without a usable top Via, CSeq or Call-ID.
 */
export function serverKeys(req: SipRequest): string[] | undefined {
  if (req.method === 'ACK') return undefined;
  const p = parts(req);
  if (!p) return undefined;
  if (hasMagicCookie(p.top.branch)) return [cookieKey(p.top as Via & { branch: string }, req.method)];
  const own = rfc2543Key(req, p, req.method);
  return req.method === 'INVITE' ? [own, rfc2543AckKey(req, p)] : [own];
}

/**
 * The key of the INVITE server transaction a CANCEL cancels (§9.2: the §17.2.3 matching with the method
 * taken as INVITE; for RFC 2543 peers the To tag, From tag, Call-ID, CSeq number and top Via).
 */
export function cancelTargetKey(cancel: SipRequest): string | undefined {
  const p = parts(cancel);
  if (!p) return undefined;
  return hasMagicCookie(p.top.branch) ? cookieKey(p.top as Via & { branch: string }, 'INVITE') : rfc2543Key(cancel, p, 'INVITE');
}
