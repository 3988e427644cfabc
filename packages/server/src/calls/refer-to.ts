/**
 * The Refer-To of a REFER (RFC 3515 §2.1): the SIP URI of the transfer target, whose user is an extension,
 * and for an attended transfer its `Replaces` URI header (RFC 3891 §6.1, escaped inside the URI:
 * `?Replaces=<call-id>%3Bto-tag%3D<tag>%3Bfrom-tag%3D<tag>`), naming the dialog the target replaces;
 * and the Replaces header of an INVITE (RFC 3891 §6.1, calls/replaces.ts).
 */
import { isSipUri, parseNameAddr, unescape } from '../sip/uri.js';

/** What Refer-To asks for: an extension, with the dialog an attended transfer replaces (RFC 3891 §6.1). */
export interface ReferTarget {
  user: string;
  replaces?: Replaces;
}

/** A dialog named by Replaces: to-tag is the recipient's tag, from-tag the other party's (RFC 3891 §3). */
export interface Replaces {
  callId: string;
  toTag: string;
  fromTag: string;
}

/** Parse a Refer-To value; undefined when it names no SIP user or its Replaces is malformed. */
export function parseReferTo(value: string | undefined): ReferTarget | undefined {
  const parsed = value === undefined ? undefined : parseNameAddr(value);
  const uri = parsed?.ok ? parsed.value.uri : undefined;
  if (!uri || !isSipUri(uri) || uri.user === undefined) return undefined;
  const user = unescape(uri.user);
  const header = uri.headers.find((h) => h.name.toLowerCase() === 'replaces');
  if (!header) return { user };
  const replaces = parseReplaces(unescape(header.value));
  return replaces ? { user, replaces } : undefined;
}

/**
 * A Replaces value (RFC 3891 §6.1: `callid *(SEMI replaces-param)`; to-tag and from-tag required,
 * early-only and extensions ignored); undefined when malformed.
 */
export function parseReplaces(value: string): Replaces | undefined {
  const [callId, ...params] = value.split(';').map((p) => p.trim());
  const param = (name: string) => params.find((p) => p.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1).trim();
  const toTag = param('to-tag');
  const fromTag = param('from-tag');
  return callId && toTag && fromTag ? { callId, toTag, fromTag } : undefined;
}
