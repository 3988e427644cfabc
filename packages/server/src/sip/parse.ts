/**
 * The SIP message parser (RFC 3261 §7, framing §18.3, robustness RFC 4475/5118). Pure: bytes in, a
 * result out, never an exception. A rejected request carries the status to answer with (400, 413, 505,
 * ...) and, when they could be read, the header values needed to build that response (§8.2.6.2).
 * A rejected response is to be dropped silently (§18.1.2).
 *
 * Datagrams (UDP) and streams (TCP, TLS, WS) frame differently (§18.3):
 *   - UDP: one message per datagram; without Content-Length the body is the rest of the datagram; a
 *     Content-Length beyond the datagram is a 400; octets after the body are ignored (RFC 4475 §3.1.1.8).
 *   - stream: Content-Length is mandatory; the bytes after the body belong to the next message (`rest`).
 *     StreamFramer (framer.ts) applies this to a byte stream arriving in chunks.
 */
import { parseContentLength } from './fields.js';
import { canonicalName, headerKey, splitHeaderValue } from './headers.js';
import { SIP_VERSION, type SipHeader, type SipMessage } from './message.js';
import { isToken, isWs, trimWs } from './syntax.js';
import { isSipUri, parseUri } from './uri.js';
import { type ParseWarning, validateMessage } from './validate.js';

export type { ParseWarning } from './validate.js';

export const DEFAULT_MAX_SIZE = 64 * 1024;

export interface ParseOptions {
  /**
   * 'udp' for message-oriented transports: UDP datagrams, and WebSocket messages (RFC 7118 §5, one SIP
   * message per WebSocket message, Content-Length optional). 'stream' for TCP and TLS.
   */
  transport: 'udp' | 'stream';
  /** Largest accepted message in bytes (default 64 KiB). */
  maxSize?: number;
}

export interface ParseError {
  /** The status code a request deserves: 400, 413, 505, 501, 513. */
  code: number;
  /** A short, safe reason phrase (no control characters). */
  reason: string;
}

/** Raw header values of a rejected message, enough to build the error response (§8.2.6.2). */
export interface PartialInfo {
  via: string[];
  from?: string;
  to?: string;
  callId?: string;
  cseq?: string;
}

export type ParseResult =
  | {
      ok: true;
      message: SipMessage;
      /** Octets after the message: ignored trailing bytes of a datagram, or the next message on a stream. */
      rest?: Buffer;
      /** Tolerated irregularities and semantic problems for higher layers (stable codes). */
      warnings: ParseWarning[];
    }
  | {
      ok: false;
      error: ParseError;
      /** True when the start line looks like a request (answer it); false for responses and garbage (drop). */
      isRequest: boolean;
      /** Nothing may be sent back: a response, or bytes that are not a request at all. */
      drop: boolean;
      partial?: PartialInfo;
      /** The input held only CRLFs (a keepalive, RFC 5626 §4.4.1): not an error worth logging. */
      keepalive?: true;
    };

export type ParseFailure = Extract<ParseResult, { ok: false }>;

type StartLine =
  | { kind: 'request'; method: string; uri: string }
  | { kind: 'response'; status: number; reason: string };

/** The header section of a message: where it is, its start line and header fields. */
export interface Head {
  /** Offset of the start line (after leading CRLFs, §7.5). */
  start: number;
  /** Offset of the first body octet. */
  bodyStart: number;
  isRequest: boolean;
  startLine?: StartLine;
  headers: SipHeader[];
  /** First problem found in the start line or the header lines. */
  error?: ParseError;
  warnings: ParseWarning[];
}

/** Parse one message from `buf`. */
export function parseMessage(buf: Buffer, opts: ParseOptions): ParseResult {
  try {
    return parseUnsafe(buf, opts);
  } catch (err) {
    // Not reachable by design (the fuzz test checks that); a safety net so one bad packet never kills a transport.
    return failure({ code: 400, reason: `Unparseable message (${err instanceof Error ? err.name : 'error'})` }, false);
  }
}

function parseUnsafe(buf: Buffer, opts: ParseOptions): ParseResult {
  const maxSize = opts.maxSize ?? DEFAULT_MAX_SIZE;
  const start = skipLeadingCrlf(buf, 0);
  if (start >= buf.length) return { ...failure({ code: 400, reason: 'Empty message' }, false), keepalive: true };
  let end = findHeaderEnd(buf, start);
  let tolerated = false;
  if (end === undefined) {
    // A datagram ending right after a header line lacks only the empty line: tolerated on UDP.
    if (opts.transport !== 'udp' || buf[buf.length - 1] !== 0x0a) {
      const head = readHead(buf, start, { headerEnd: buf.length, bodyStart: buf.length });
      return failure({ code: 400, reason: 'Incomplete message: no empty line after the header fields' }, head.isRequest, head);
    }
    end = { headerEnd: buf.length, bodyStart: buf.length };
    tolerated = true;
  }
  const head = readHead(buf, start, end);
  if (tolerated) head.warnings.push({ code: 'no-blank-line', text: 'datagram ends without the empty line after the headers' });
  if (head.error) return failure(head.error, head.isRequest, head);
  if (end.bodyStart - start > maxSize) return failure({ code: 513, reason: 'Message Too Large' }, head.isRequest, head);
  const frame = frameBody(head, buf.length, opts.transport);
  if ('error' in frame) return failure(frame.error, head.isRequest, head);
  if (frame.bodyEnd - start > maxSize) return failure({ code: 413, reason: 'Request Entity Too Large' }, head.isRequest, head);
  if (!frame.complete) return failure({ code: 400, reason: 'Incomplete message: body shorter than Content-Length' }, head.isRequest, head);
  const result = finishMessage(buf, head, frame.bodyEnd);
  if (result.ok && frame.bodyEnd < buf.length) result.rest = buf.subarray(frame.bodyEnd);
  return result;
}

// ---- building blocks, shared with the stream framer (framer.ts) ----

/** Index of the first octet after any CRLF (or bare LF) preceding the start line (§7.5). */
export function skipLeadingCrlf(buf: Buffer, i: number): number {
  while (i < buf.length && (buf[i] === 0x0a || (buf[i] === 0x0d && buf[i + 1] === 0x0a))) i += buf[i] === 0x0d ? 2 : 1;
  return i;
}

export interface HeaderEnd {
  /** Offset just after the last header line's line end. */
  headerEnd: number;
  bodyStart: number;
}

/** Find the empty line that ends the header section (CRLF CRLF; a bare LF is tolerated), scanning from `from`. */
export function findHeaderEnd(buf: Buffer, from: number): HeaderEnd | undefined {
  for (let i = buf.indexOf(0x0a, from); i !== -1; i = buf.indexOf(0x0a, i + 1)) {
    const n = i + 1;
    if (buf[n] === 0x0a) return { headerEnd: n, bodyStart: n + 1 };
    if (buf[n] === 0x0d && buf[n + 1] === 0x0a) return { headerEnd: n, bodyStart: n + 2 };
  }
  return undefined;
}

/** Decode and parse the start line and header lines between `start` and `end.headerEnd`. */
export function readHead(buf: Buffer, start: number, end: HeaderEnd): Head {
  const lines = buf.toString('utf8', start, end.headerEnd).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.endsWith('\r')) lines[k] = line.slice(0, -1);
  }
  const first = lines[0] ?? '';
  const head: Head = { start, bodyStart: end.bodyStart, isRequest: looksLikeRequest(first), headers: [], warnings: [] };
  const sl = parseStartLine(first);
  if ('code' in sl) head.error = sl;
  else head.startLine = sl;
  const headerError = parseHeaderLines(lines, head.headers);
  head.error ??= headerError;
  return head;
}

function looksLikeRequest(line: string): boolean {
  const sp = line.indexOf(' ');
  return sp > 0 && !/^SIP\//i.test(line) && isToken(line.slice(0, sp));
}

/** Request-Line = Method SP Request-URI SP SIP-Version; Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.1, §7.2, §25.1). */
function parseStartLine(line: string): StartLine | ParseError {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return { code: 400, reason: 'Control character in start line' };
  if (/^SIP\//i.test(line)) return parseStatusLine(line);
  const sp1 = line.indexOf(' ');
  const spLast = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp1 === spLast) return { code: 400, reason: 'Malformed Request-Line' };
  const method = line.slice(0, sp1);
  if (!isToken(method)) return { code: 400, reason: 'Invalid method token in Request-Line' };
  const version = line.slice(spLast + 1);
  if (version === '') return { code: 400, reason: 'Trailing whitespace in Request-Line' };
  const versionError = checkVersion(version);
  if (versionError) return versionError;
  const uri = line.slice(sp1 + 1, spLast);
  if (/^\s|\s$/.test(uri)) return { code: 400, reason: 'Request-Line elements separated by more than one SP' };
  if (/\s/.test(uri)) return { code: 400, reason: 'Request-URI contains whitespace' };
  const parsed = parseUri(uri);
  if (!parsed.ok) return { code: 400, reason: `Invalid Request-URI: ${parsed.error}` };
  // §19.1.1 table 1: URI headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (isSipUri(parsed.value) && parsed.value.headers.length > 0) return { code: 400, reason: 'Headers not allowed in Request-URI' };
  return { kind: 'request', method, uri };
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is supported (§8.2.2 ... 505, RFC 4475 §3.1.2.16). */
function checkVersion(version: string): ParseError | undefined {
  const m = /^SIP\/(\d+)\.(\d+)$/i.exec(version);
  if (!m) return { code: 400, reason: 'Malformed SIP version' };
  if (Number(m[1]) !== 2 || Number(m[2]) !== 0) return { code: 505, reason: 'Version Not Supported' };
  return undefined;
}

function parseStatusLine(line: string): StartLine | ParseError {
  const sp1 = line.indexOf(' ');
  const versionError = checkVersion(sp1 === -1 ? line : line.slice(0, sp1));
  if (versionError) return versionError;
  const sp2 = line.indexOf(' ', sp1 + 1);
  const code = sp2 === -1 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
  // Status-Code = 3DIGIT, 100..699 (§7.2; RFC 4475 §3.1.2.19 sends 4294967301).
  if (!/^[1-6]\d\d$/.test(code)) return { code: 400, reason: 'Invalid status code' };
  return { kind: 'response', status: Number(code), reason: sp2 === -1 ? '' : line.slice(sp2 + 1) };
}

/**
 * message-header = field-name HCOLON field-value CRLF with HCOLON = *( SP / HTAB ) ":" SWS (§7.3.1,
 * §25.1); a line starting with SP/HTAB continues the previous one (folding) and is joined with one SP.
 * Collects every well-formed line (for the error response) and returns the first problem.
 */
function parseHeaderLines(lines: string[], out: SipHeader[]): ParseError | undefined {
  let error: ParseError | undefined;
  let current: SipHeader | undefined;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.includes('\r')) error ??= { code: 400, reason: 'Bare CR in header section' };
    if (isWs(line.charCodeAt(0))) {
      if (current === undefined) error ??= { code: 400, reason: 'Continuation line without a header field' };
      else current.value = current.value === '' ? trimWs(line) : `${current.value} ${trimWs(line)}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : trimWs(line.slice(0, colon));
    if (!isToken(name)) {
      error ??= { code: 400, reason: 'Malformed header line' };
      current = undefined;
      continue;
    }
    current = { name: canonicalName(name), value: trimWs(line.slice(colon + 1)) };
    out.push(current);
  }
  return error;
}

/**
 * Where the body ends (§18.3). `complete` is false when a stream has not yet delivered `bodyEnd` octets.
 * Errors here are framing errors: on a stream the connection cannot be resynchronised after them.
 */
export function frameBody(head: Head, available: number, transport: 'udp' | 'stream'): { bodyEnd: number; complete: boolean } | { error: ParseError } {
  const values = head.headers.filter((h) => headerKey(h.name) === 'content-length').map((h) => h.value);
  const lengths = values.map(parseContentLength);
  const bad = lengths.find((l) => !l.ok);
  if (bad && !bad.ok) return { error: { code: 400, reason: bad.error } };
  const numbers = new Set(lengths.map((l) => (l.ok ? l.value : -1)));
  // RFC 4475 §3.3.9: several different Content-Length values leave the framing unknown.
  if (numbers.size > 1) return { error: { code: 400, reason: 'Conflicting Content-Length values' } };
  if (values.length > 1) head.warnings.push({ code: 'content-length-repeated', text: 'Content-Length repeated with the same value' });
  const length = numbers.size === 1 ? [...numbers][0]! : undefined;
  if (length === undefined) {
    if (transport === 'udp') return { bodyEnd: available, complete: true };
    return { error: { code: 400, reason: 'Content-Length required on stream transports' } };
  }
  const bodyEnd = head.bodyStart + length;
  if (bodyEnd <= available) return { bodyEnd, complete: true };
  if (transport === 'udp') return { error: { code: 400, reason: 'Content-Length larger than the message' } };
  return { bodyEnd, complete: false };
}

/** Build the message from a framed head and body, then validate it. */
export function finishMessage(buf: Buffer, head: Head, bodyEnd: number): ParseResult {
  if (head.error || !head.startLine) return failure(head.error ?? { code: 400, reason: 'Malformed start line' }, head.isRequest, head);
  const body = Buffer.from(buf.subarray(head.bodyStart, bodyEnd));
  const sl = head.startLine;
  const message: SipMessage = sl.kind === 'request'
    ? { kind: 'request', method: sl.method, uri: sl.uri, version: SIP_VERSION, headers: head.headers, body }
    : { kind: 'response', version: SIP_VERSION, status: sl.status, reason: sl.reason, headers: head.headers, body };
  const verdict = validateMessage(message);
  if (verdict.error) return failure(verdict.error, sl.kind === 'request', head);
  return { ok: true, message, warnings: [...head.warnings, ...verdict.warnings] };
}

/** A failure result; the partial info comes from whatever header lines were readable. */
export function failure(error: ParseError, isRequest: boolean, head?: Head): ParseFailure {
  // eslint-disable-next-line no-control-regex
  const reason = error.reason.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 160);
  const result: ParseFailure = { ok: false, error: { code: error.code, reason }, isRequest, drop: !isRequest };
  if (head) result.partial = partialInfo(head.headers);
  return result;
}

function partialInfo(headers: SipHeader[]): PartialInfo {
  const partial: PartialInfo = { via: [] };
  for (const h of headers) {
    const key = headerKey(h.name);
    if (key === 'via') partial.via.push(...splitHeaderValue(key, h.value));
    else if (key === 'from') partial.from ??= h.value;
    else if (key === 'to') partial.to ??= h.value;
    else if (key === 'call-id') partial.callId ??= h.value;
    else if (key === 'cseq') partial.cseq ??= h.value;
  }
  return partial;
}
