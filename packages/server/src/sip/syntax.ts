/**
 * Lexical building blocks of the SIP grammar (RFC 3261 §25.1): character classes, LWS, quoted strings,
 * generic parameters and hosts (RFC 3261 §19.1.1, RFC 5118 for IPv6 references). Pure functions, no
 * exceptions: every parser returns a `Parsed<T>` with a short human-readable error.
 *
 * All functions work on header values that were already unfolded (RFC 3261 §7.3.1: each CRLF + WSP
 * continuation was replaced by one SP), so LWS here is only SP and HTAB.
 */

/** Result of a small parser: the value, or a reason that can go into a 400 reason phrase. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

/** A `;name[=value]` parameter. The value is kept as written (quoted strings keep their quotes, escapes stay). */
export interface Param {
  name: string;
  /** null for a parameter without `=value` (e.g. `;lr`, `;rport`). */
  value: string | null;
}

function charSet(extra: string, alnum = true): Uint8Array {
  const set = new Uint8Array(128);
  if (alnum) {
    for (let c = 0x30; c <= 0x39; c++) set[c] = 1;
    for (let c = 0x41; c <= 0x5a; c++) set[c] = 1;
    for (let c = 0x61; c <= 0x7a; c++) set[c] = 1;
  }
  for (const ch of extra) set[ch.charCodeAt(0)] = 1;
  return set;
}

/** token (RFC 3261 §25.1): alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
export const TOKEN = charSet("-.!%*_+`'~");
/** unreserved = alphanum / mark (§25.1). */
export const UNRESERVED = charSet("-_.!~*'()");
/** user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? / */
export const USER = charSet("-_.!~*'()&=+$,;?/");
/** password = *( unreserved / escaped / & = + $ , ) */
export const PASSWORD = charSet("-_.!~*'()&=+$,");
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $ */
export const PARAMCHAR = charSet("-_.!~*'()[]/:&+$");
/** hname / hvalue characters: hnv-unreserved / unreserved / escaped; hnv-unreserved = [ ] / ? : + $ */
export const HNV = charSet("-_.!~*'()[]/?:+$");
/** uric (RFC 2396, used by absoluteURI in §25.1): reserved / unreserved / escaped, plus [ ] for IPv6 hosts. */
export const URIC = charSet(";/?:@&=+$,-_.!~*'()[]");
/** A generic parameter value that is not a quoted string: token or host (§25.1 gen-value), liberally. */
const GEN_VALUE = charSet("-.!%*_+`'~:[]");
const LABELCHAR = charSet('_');
/** Characters that may make up a host name or IPv4 address (validated afterwards by hostKind). */
const HOSTCHAR = charSet('-._');

export function isWs(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Trim SP/HTAB only (String#trim also removes characters that SIP does not treat as whitespace). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export function inSet(code: number, set: Uint8Array): boolean {
  return code < 128 && set[code] === 1;
}

/** Index of the first character at or after `i` that is not in `set`. */
export function spanSet(s: string, i: number, set: Uint8Array): number {
  while (i < s.length && inSet(s.charCodeAt(i), set)) i++;
  return i;
}

export function isToken(s: string): boolean {
  return s.length > 0 && spanSet(s, 0, TOKEN) === s.length;
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** True if every character of `s` is in `set` or is a well-formed `%HH` escape (§25.1 escaped). */
export function isEscapedRun(s: string, set: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (!inSet(c, set)) {
      return false;
    }
  }
  return true;
}

/**
 * End index (after the closing DQUOTE) of the quoted-string starting at `s[i] === '"'`, or -1.
 * RFC 3261 §25.1: qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII;
 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F).
 */
export function scanQuoted(s: string, i: number): number {
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const n = s.charCodeAt(i + 1);
      if (!(n <= 0x7f) || n === 0x0a || n === 0x0d) return -1;
      i++;
    } else if (!(isWs(c) || c === 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80)) {
      return -1;
    }
  }
  return -1;
}

/** The content of a quoted-string (with its quotes) with quoted-pairs resolved. */
export function unquote(q: string): string {
  return q.slice(1, -1).replace(/\\([\s\S])/g, '$1');
}

/**
 * Quote a string as a quoted-string: `"` and `\` and control characters become quoted-pairs; CR and LF,
 * which no quoted-pair can carry (§25.1), become SP.
 */
export function quote(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/[\r\n]/g, ' ').replace(/["\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '\\$&')}"`;
}

/**
 * Generic header parameters `*( SEMI generic-param )` starting at `s[i]` (§25.1: SEMI = SWS ";" SWS,
 * EQUAL = SWS "=" SWS, generic-param = token [ EQUAL gen-value ], gen-value = token / host / quoted-string).
 * Stops at the first character that cannot continue the list; the caller checks that it reached the end.
 */
export function parseParams(s: string, i: number): Parsed<{ params: Param[]; end: number }> {
  const params: Param[] = [];
  for (i = skipWs(s, i); i < s.length && s.charCodeAt(i) === 0x3b; i = skipWs(s, i)) {
    i = skipWs(s, i + 1);
    const nameEnd = spanSet(s, i, TOKEN);
    if (nameEnd === i) return fail(`empty or invalid parameter name at "${excerpt(s, i)}"`);
    const name = s.slice(i, nameEnd);
    i = skipWs(s, nameEnd);
    if (s.charCodeAt(i) !== 0x3d) {
      params.push({ name, value: null });
      continue;
    }
    i = skipWs(s, i + 1);
    const valueEnd = s.charCodeAt(i) === 0x22 ? scanQuoted(s, i) : spanSet(s, i, GEN_VALUE);
    if (valueEnd <= i) return fail(`invalid value for parameter "${name}"`);
    params.push({ name, value: s.slice(i, valueEnd) });
    i = valueEnd;
  }
  return ok({ params, end: i });
}

/** Value of the first parameter named `name` (case-insensitive): undefined if absent, null if valueless. */
export function getParam(params: readonly Param[], name: string): string | null | undefined {
  const lower = name.toLowerCase();
  for (const p of params) if (p.name.toLowerCase() === lower) return p.value;
  return undefined;
}

/** Format parameters back to `;a=b;c`. */
export function formatParams(params: readonly Param[]): string {
  let out = '';
  for (const p of params) out += p.value === null ? `;${p.name}` : `;${p.name}=${p.value}`;
  return out;
}

/** A short excerpt for error messages, never long enough to bloat a reason phrase. */
export function excerpt(s: string, i = 0): string {
  const part = s.slice(i, i + 24);
  return part.length < s.length - i ? `${part}...` : part;
}

// ---- hosts (§19.1.1, §25.1 host = hostname / IPv4address / IPv6reference) ----

export type HostKind = 'domain' | 'ipv4' | 'ipv6';

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255. */
export function isIPv4(s: string): boolean {
  const c = s.charCodeAt(0);
  if (!(c >= 0x30 && c <= 0x39)) return false;
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * IPv6address without brackets (RFC 4291 §2.2, with the RFC 3261 ABNF's trailing IPv4 form).
 * RFC 5118 §4.10: the RFC 3261 ABNF wrongly allows "2001:db8:::192.0.2.1" (three colons); receivers
 * should tolerate it, so a ":::" immediately before an IPv4 tail is read as "::".
 */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 60) return false;
  let groupsLeft = 8;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    if (!isIPv4(text.slice(lastColon + 1))) return false;
    text = text.slice(0, lastColon + 1);
    if (text.endsWith(':::')) text = text.slice(0, -1);
    text = text.endsWith('::') ? text : text.slice(0, -1);
    groupsLeft = 6;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x)))) return false;
  const count = groups.reduce((n, g) => n + g.length, 0);
  return halves.length === 2 ? count < groupsLeft : count === groupsLeft;
}

/**
 * hostname = *( domainlabel "." ) toplabel [ "." ]; labels alphanum with inner "-", toplabel starts with
 * ALPHA (§25.1). Liberal in one point: "_" is accepted like a letter (devices named "my_pc.local" exist).
 */
export function isHostname(s: string): boolean {
  const n = s.endsWith('.') ? s.length - 1 : s.length;
  if (n === 0 || n > 255) return false;
  let labelStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (i === labelStart || s.charCodeAt(i - 1) === 0x2d) return false;
      labelStart = i + 1;
    } else if (c === 0x2d ? i === labelStart : !(c < 128 && LABELCHAR[c] === 1)) {
      return false;
    }
  }
  const top = s.charCodeAt(s.lastIndexOf('.', n - 1) + 1);
  return (top >= 0x41 && top <= 0x5a) || (top >= 0x61 && top <= 0x7a);
}

/** Kind of a host as written in a URI or Via (IPv6 inside brackets), or null if it is not a valid host. */
export function hostKind(host: string): HostKind | null {
  if (host.startsWith('[')) return host.endsWith(']') && isIPv6(host.slice(1, -1)) ? 'ipv6' : null;
  if (isIPv4(host)) return 'ipv4';
  return isHostname(host) ? 'domain' : null;
}

export interface HostPort {
  host: string;
  kind: HostKind;
  port?: number;
  end: number;
}

/** port = 1*DIGIT, at most 65535 (leading zeros tolerated). */
export function parsePort(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

/**
 * hostport = host [ ":" port ] starting at `s[i]`. With `lws`, SWS is allowed around the colon
 * (Via sent-by uses COLON = SWS ":" SWS, §25.1). Host characters end the host; the caller checks what follows.
 */
export function parseHostPort(s: string, i: number, lws = false): Parsed<HostPort> {
  let end: number;
  if (s.charCodeAt(i) === 0x5b) {
    end = s.indexOf(']', i);
    if (end === -1) return fail(`unterminated IPv6 reference "${excerpt(s, i)}"`);
    end++;
  } else {
    end = spanSet(s, i, HOSTCHAR);
  }
  const host = s.slice(i, end);
  const kind = hostKind(host);
  if (kind === null) return fail(host.startsWith('[') ? `invalid IPv6 reference "${excerpt(host)}"` : `invalid host "${excerpt(host)}"`);
  const afterHost = lws ? skipWs(s, end) : end;
  if (s.charCodeAt(afterHost) !== 0x3a) return ok({ host, kind, end });
  const portStart = lws ? skipWs(s, afterHost + 1) : afterHost + 1;
  let portEnd = portStart;
  while (portEnd < s.length && s.charCodeAt(portEnd) >= 0x30 && s.charCodeAt(portEnd) <= 0x39) portEnd++;
  const port = parsePort(s.slice(portStart, portEnd));
  if (port === null) return fail(`invalid port after host "${excerpt(host)}"`);
  return ok({ host, kind, port, end: portEnd });
}

/** Split a comma-separated header value at top-level commas: not inside quoted strings or <...> (§7.3.1). */
export function splitTopLevel(value: string, sep = 0x2c): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (angle) {
      if (c === 0x3e) angle = false;
    } else if (c === 0x22) {
      for (i++; i < value.length && value.charCodeAt(i) !== 0x22; i++) if (value.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x3c) {
      angle = true;
    } else if (c === sep) {
      out.push(trimWs(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWs(value.slice(start)));
  return out;
}
