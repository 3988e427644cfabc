/**
 * Typed views of the header fields every layer above needs (RFC 3261 §8.1.1, §20): Call-ID, CSeq,
 * Max-Forwards, Date, Content-Length, Via, From, To, Contact. Each parser is pure and returns Parsed<T>;
 * the accessors read a message that parseMessage accepted, so for those they cannot fail on syntax.
 */
import { getHeader, getHeaders, type SipMessage } from './message.js';
import { excerpt, fail, isToken, ok, type Parsed, trimWs } from './syntax.js';
import { type NameAddr, parseContactList, parseNameAddr } from './uri.js';
import { parseViaList, type Via } from './via.js';

/** RFC 3261 §8.1.1.5: the CSeq sequence number MUST be less than 2**31. */
export const MAX_CSEQ = 2 ** 31 - 1;

export interface CSeq {
  seq: number;
  method: string;
}

/**
 * callid = word [ "@" word ] (§25.1), read liberally: any non-empty run of visible characters (ASCII or
 * UTF-8) without whitespace, since some devices put characters outside `word` (e.g. "=" of base64) in it.
 */
export function parseCallId(value: string): Parsed<string> {
  // eslint-disable-next-line no-control-regex
  return value.length > 0 && !/[\x00-\x20\x7f]/.test(value) ? ok(value) : fail(`invalid Call-ID "${excerpt(value)}"`);
}

/** CSeq = 1*DIGIT LWS Method (§20.16), the number below 2**31 (§8.1.1.5, RFC 4475 §3.1.2.4). */
export function parseCSeq(value: string): Parsed<CSeq> {
  const m = /^(\d+)[ \t]+(\S+)$/.exec(value);
  if (!m) return fail(`invalid CSeq "${excerpt(value)}"`);
  const digits = m[1]!.replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > MAX_CSEQ) return fail('CSeq number out of range (must be < 2^31)');
  if (!isToken(m[2]!)) return fail(`invalid CSeq method "${excerpt(m[2]!)}"`);
  return ok({ seq: Number(digits), method: m[2]! });
}

/** Max-Forwards = 1*DIGIT (§20.22); values above 255 are clamped by the caller's policy, not here. */
export function parseMaxForwards(value: string): Parsed<number> {
  if (!/^\d+$/.test(value)) return fail(`invalid Max-Forwards "${excerpt(value)}"`);
  return ok(Number(value.replace(/^0+(?=\d)/, '').slice(0, 12)));
}

/** Content-Length = 1*DIGIT (§20.14); negative or non-numeric values are errors (RFC 4475 §3.1.2.3). */
export function parseContentLength(value: string): Parsed<number> {
  if (!/^\d+$/.test(value)) return fail(`invalid Content-Length "${excerpt(value)}" (must be a non-negative integer)`);
  const digits = value.replace(/^0+(?=\d)/, '');
  return ok(digits.length > 15 ? Number.MAX_SAFE_INTEGER : Number(digits));
}

const WKDAY = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Date = SIP-date = rfc1123-date (§20.17, RFC 2616 §3.3.1): wkday "," SP 2DIGIT SP month SP 4DIGIT SP
 * 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT". Only GMT is allowed (RFC 4475 §3.1.2.12 "EST" is invalid).
 */
export function parseSipDate(value: string): Parsed<Date> {
  const m = /^([A-Za-z]{3}), (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(value);
  if (!m || !WKDAY.includes(m[1]!) || !MONTH.includes(m[3]!)) return fail(`invalid Date "${excerpt(value)}" (RFC 1123 date in GMT required)`);
  const [d, h, min, sec] = [m[2], m[5], m[6], m[7]].map(Number) as [number, number, number, number];
  if (d < 1 || d > 31 || h > 23 || min > 59 || sec > 60) return fail(`invalid Date "${excerpt(value)}"`);
  return ok(new Date(Date.UTC(Number(m[4]), MONTH.indexOf(m[3]!), d, h, min, Math.min(sec, 59))));
}

// ---- accessors over a parsed message ----

function unwrap<T>(p: Parsed<T> | undefined): T | undefined {
  return p?.ok ? p.value : undefined;
}

export function getCallId(m: SipMessage): string | undefined {
  const v = getHeader(m, 'call-id');
  return v === undefined ? undefined : trimWs(v);
}

export function getCSeq(m: SipMessage): CSeq | undefined {
  const v = getHeader(m, 'cseq');
  return unwrap(v === undefined ? undefined : parseCSeq(v));
}

/** All Via values in order, topmost first (undefined if any is malformed). */
export function getVias(m: SipMessage): Via[] | undefined {
  const out: Via[] = [];
  for (const v of getHeaders(m, 'via')) {
    const p = parseViaList(v);
    if (!p.ok) return undefined;
    out.push(...p.value);
  }
  return out;
}

export function getFrom(m: SipMessage): NameAddr | undefined {
  const v = getHeader(m, 'from');
  return unwrap(v === undefined ? undefined : parseNameAddr(v));
}

export function getTo(m: SipMessage): NameAddr | undefined {
  const v = getHeader(m, 'to');
  return unwrap(v === undefined ? undefined : parseNameAddr(v));
}

/** All Contact values ('*' for the wildcard of a REGISTER, §10.2.2); undefined if any is malformed. */
export function getContacts(m: SipMessage): NameAddr[] | '*' | undefined {
  const out: NameAddr[] = [];
  for (const v of getHeaders(m, 'contact')) {
    const p = parseContactList(v);
    if (!p.ok) return undefined;
    if (p.value === '*') return '*';
    out.push(...p.value);
  }
  return out;
}
