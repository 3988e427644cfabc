/**
 * SIP messages (RFC 3261 §7): the data model, case-insensitive header access with compact forms, and
 * the serializer. A message is plain data: the start line, the header fields as an ordered list (order and
 * repetition preserved, names in canonical spelling, values unfolded and trimmed) and the body as bytes.
 * Structured views (Via, From, CSeq, ...) are parsed on demand by fields.ts, uri.ts and via.ts.
 */
import { canonicalName, headerKey, splitHeaderValue } from './headers.js';
import { isToken } from './syntax.js';

export { canonicalName, COMPACT_FORMS, headerKey, isListHeader } from './headers.js';

export interface SipHeader {
  /** Canonical spelling for known headers ("Call-ID" for "i" or "call-id"), as received otherwise. */
  name: string;
  /** The field value: folding replaced by one SP (§7.3.1), leading and trailing whitespace removed. */
  value: string;
}

export const SIP_VERSION = 'SIP/2.0';

export interface SipRequest {
  kind: 'request';
  /** Method token, case-sensitive (§7.1). */
  method: string;
  /** Request-URI exactly as received. */
  uri: string;
  version: typeof SIP_VERSION;
  headers: SipHeader[];
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  version: typeof SIP_VERSION;
  /** 100..699 (§7.2). */
  status: number;
  /** Reason phrase, possibly empty (RFC 4475 §3.1.1.13). */
  reason: string;
  headers: SipHeader[];
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/** All field values of a header, in order, one per header line (never split at commas). */
export function getHeaders(m: Pick<SipMessage, 'headers'>, name: string): string[] {
  const key = headerKey(name);
  const out: string[] = [];
  for (const h of m.headers) if (headerKey(h.name) === key) out.push(h.value);
  return out;
}

/** The first field value of a header, or undefined. */
export function getHeader(m: Pick<SipMessage, 'headers'>, name: string): string | undefined {
  const key = headerKey(name);
  for (const h of m.headers) if (headerKey(h.name) === key) return h.value;
  return undefined;
}

export function hasHeader(m: Pick<SipMessage, 'headers'>, name: string): boolean {
  return getHeader(m, name) !== undefined;
}

/**
 * Every value of a header across all its lines. List headers (Via, Contact, Route, Allow, ...) are split
 * at top-level commas, respecting quoted strings and <...>; other headers (WWW-Authenticate,
 * Authorization, Date, unknown ones, ...) give one value per line, commas untouched (§7.3.1).
 */
export function getHeaderValues(m: Pick<SipMessage, 'headers'>, name: string): string[] {
  const key = headerKey(name);
  const out: string[] = [];
  for (const h of m.headers) if (headerKey(h.name) === key) out.push(...splitHeaderValue(key, h.value));
  return out;
}

/** Append a header line (or insert it first, e.g. a proxy's Via, §16.6 step 8). */
export function addHeader(m: Pick<SipMessage, 'headers'>, name: string, value: string, where: 'first' | 'last' = 'last'): void {
  const h = { name: canonicalName(name), value };
  if (where === 'first') m.headers.unshift(h);
  else m.headers.push(h);
}

/** Remove every line of a header; returns how many were removed. */
export function removeHeader(m: Pick<SipMessage, 'headers'>, name: string): number {
  const key = headerKey(name);
  const before = m.headers.length;
  m.headers = m.headers.filter((h) => headerKey(h.name) !== key);
  return before - m.headers.length;
}

/** Replace every line of a header by one line with `value`, at the position of the first (or at the end). */
export function setHeader(m: Pick<SipMessage, 'headers'>, name: string, value: string): void {
  const key = headerKey(name);
  const at = m.headers.findIndex((h) => headerKey(h.name) === key);
  removeHeader(m, name);
  m.headers.splice(at === -1 ? m.headers.length : at, 0, { name: canonicalName(name), value });
}

export interface SerializeOptions {
  /** Write Content-Length even when the message has none (default true; RFC 3261 §20.14 SHOULD, MUST on streams). */
  contentLength?: boolean;
}

function assertLine(what: string, s: string): void {
  if (/[\r\n]/.test(s)) throw new TypeError(`SIP ${what} must not contain CR or LF: ${JSON.stringify(s.slice(0, 40))}`);
}

/** The start line (§7.1 Request-Line, §7.2 Status-Line) without CRLF. */
export function startLine(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${m.uri} ${SIP_VERSION}` : `${SIP_VERSION} ${m.status} ${m.reason}`;
}

/**
 * Serialize to wire bytes: start line, headers with canonical names, CRLF line ends, and a
 * Content-Length equal to the body's length (replacing any stale value, at the position of the first
 * Content-Length line, else last). Throws TypeError for CR/LF inside a start line or header: that is a
 * programming error (header injection), never something a parsed message can contain.
 */
export function serializeMessage(m: SipMessage, opts: SerializeOptions = {}): Buffer {
  const first = startLine(m);
  assertLine('start line', first);
  const lines = [first];
  let wroteLength = false;
  for (const h of m.headers) {
    if (headerKey(h.name) === 'content-length') {
      if (!wroteLength) lines.push(`Content-Length: ${m.body.length}`);
      wroteLength = true;
      continue;
    }
    if (!isToken(h.name)) throw new TypeError(`SIP header name must be a token: ${JSON.stringify(h.name.slice(0, 40))}`);
    assertLine('header value', h.value);
    lines.push(`${canonicalName(h.name)}: ${h.value}`);
  }
  if (!wroteLength && opts.contentLength !== false) lines.push(`Content-Length: ${m.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return m.body.length === 0 ? head : Buffer.concat([head, m.body]);
}
