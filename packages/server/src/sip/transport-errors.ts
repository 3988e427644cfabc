/**
 * Errors of the SIP transport layer (RFC 3261 §18) with stable codes, and the stateless error response
 * to a request the parser rejected (§8.2.6.2, §18.2.1 with RFC 3581 §4).
 */
import { SIP_VERSION, type SipHeader, type SipResponse } from './message.js';
import type { ParseError, PartialInfo } from './parse.js';
import { newTag } from './transaction-messages.js';
import { stampViaValue } from './transport-via.js';

export type TransportErrorCode =
  /** The egress policy refused the destination (DESIGN.md: never a reflector for hosts named in headers). */
  | 'egress-denied'
  /** A stream destination without a live connection, and opening one is not allowed (WS never; TCP by policy). */
  | 'no-connection'
  /** The connection table is full. */
  | 'connection-limit'
  /** The message does not fit the transport (UDP datagram limit, configured maximum size). */
  | 'too-large'
  /** The transport cannot carry this (TLS, SCTP, WSS are not served by this transport). */
  | 'unsupported-transport'
  /** The socket failed or closed while sending, or connecting failed. */
  | 'send-failed'
  /** The transport was closed. */
  | 'closed';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** True when a To header value already carries a tag parameter (outside quotes and <...>). */
function hasToTag(to: string): boolean {
  const afterUri = to.includes('>') ? to.slice(to.lastIndexOf('>')) : to;
  return /;\s*tag\s*=/i.test(afterUri);
}

/**
 * The error response to a malformed request (§8.2.6.2: Via, From, To, Call-ID and CSeq copied from what
 * could be read, a To tag added). The top Via gets received/rport like any request (§18.2.1, RFC 3581
 * §4) for the client's benefit; the response itself is always sent to the packet's source, whatever
 * the Via says (§18.2.2 restricted: DESIGN.md "Security").
 */
export function parseErrorResponse(error: ParseError, partial: PartialInfo | undefined, source: { address: string; port: number }): SipResponse {
  const headers: SipHeader[] = [];
  const vias = partial?.via ?? [];
  vias.forEach((value, i) => headers.push({ name: 'Via', value: i === 0 ? stampViaValue(value, source) : value }));
  if (partial?.from !== undefined) headers.push({ name: 'From', value: partial.from });
  if (partial?.to !== undefined) headers.push({ name: 'To', value: hasToTag(partial.to) ? partial.to : `${partial.to};tag=${newTag()}` });
  if (partial?.callId !== undefined) headers.push({ name: 'Call-ID', value: partial.callId });
  if (partial?.cseq !== undefined) headers.push({ name: 'CSeq', value: partial.cseq });
  return { kind: 'response', version: SIP_VERSION, status: error.code, reason: error.reason, headers, body: Buffer.alloc(0) };
}

/** A response header value cannot carry CR/LF; partial values come from the parser's unfolded lines, but be safe. */
export function safeResponse(res: SipResponse): SipResponse {
  res.headers = res.headers.filter((h) => !/[\r\n]/.test(h.value));
  res.reason = res.reason.replace(/[\r\n]/g, ' ');
  return res;
}
