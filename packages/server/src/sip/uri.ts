/**
 * URIs (RFC 3261 §19.1, §25.1 SIP-URI/SIPS-URI/absoluteURI; RFC 3966 tel) and the addresses of
 * From/To/Contact/Route (RFC 3261 §20.10 name-addr / addr-spec). Escapes (%HH) are validated but kept
 * intact: `user`, `password`, parameter names and values are exactly as written, so a binding or a
 * comparison never loses information (RFC 4475 §3.1.1.4: %00 stays %00). `unescape()` decodes on demand.
 */
import {
  excerpt, fail, formatParams, HNV, type HostKind, isEscapedRun, isWs, ok, PARAMCHAR, type Param,
  parseHostPort, type Parsed, parseParams, PASSWORD, quote, scanQuoted, skipWs, spanSet, splitTopLevel,
  TOKEN, trimWs, unquote, URIC, USER,
} from './syntax.js';

export interface UriHeader {
  name: string;
  value: string;
}

export interface SipUri {
  scheme: 'sip' | 'sips';
  /** The user part as written (escapes intact); absent when the URI has no userinfo. */
  user?: string;
  password?: string;
  /** Host as written; IPv6 references keep their brackets. */
  host: string;
  hostKind: HostKind;
  port?: number;
  /** uri-parameters in order, as written. */
  params: Param[];
  /** URI headers (`?name=value&...`), as written. */
  headers: UriHeader[];
}

export interface TelUri {
  scheme: 'tel';
  /** global-number ("+1-201-555-0123") or local-number, visual separators kept. */
  number: string;
  params: Param[];
}

/** Any other absoluteURI (RFC 3261 §25.1): kept opaque. */
export interface OtherUri {
  scheme: string;
  opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}

/** Parse any URI: sip/sips and tel strictly, any other scheme as an opaque absoluteURI. */
export function parseUri(s: string): Parsed<Uri> {
  const colon = s.indexOf(':');
  if (colon <= 0 || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(s.slice(0, colon))) {
    return fail(`invalid URI "${excerpt(s)}" (no scheme)`);
  }
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(s);
  if (scheme === 'tel') return parseTelUri(s);
  const opaque = s.slice(colon + 1);
  if (opaque.length === 0 || !isEscapedRun(opaque, URIC)) return fail(`invalid ${scheme}: URI "${excerpt(s)}"`);
  return ok({ scheme, opaque });
}

/**
 * SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ] (§19.1.1, §25.1).
 * userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"; the user part may itself contain
 * ";", "?" and "/" (RFC 4475 §3.1.1.9: user "user;par=u%40example.net"), so the first "@" ends it.
 */
export function parseSipUri(s: string): Parsed<SipUri> {
  const colon = s.indexOf(':');
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') return fail(`not a SIP URI "${excerpt(s)}"`);
  const uri: SipUri = { scheme, host: '', hostKind: 'domain', params: [], headers: [] };
  let i = colon + 1;
  const at = s.indexOf('@', i);
  if (at !== -1) {
    const userinfo = s.slice(i, at);
    const pw = userinfo.indexOf(':');
    const user = pw === -1 ? userinfo : userinfo.slice(0, pw);
    if (user.length === 0 || !isEscapedRun(user, USER)) return fail(`invalid user part in "${excerpt(s)}"`);
    uri.user = user;
    if (pw !== -1) {
      const password = userinfo.slice(pw + 1);
      if (!isEscapedRun(password, PASSWORD)) return fail(`invalid password in "${excerpt(s)}"`);
      uri.password = password;
    }
    i = at + 1;
  }
  const hp = parseHostPort(s, i);
  if (!hp.ok) return hp;
  Object.assign(uri, { host: hp.value.host, hostKind: hp.value.kind });
  if (hp.value.port !== undefined) uri.port = hp.value.port;
  const rest = parseUriTail(s, hp.value.end, uri);
  return rest.ok ? ok(uri) : rest;
}

/** uri-parameters = *( ";" pname [ "=" pvalue ] ) and headers = "?" hname "=" hvalue *( "&" ... ). */
function parseUriTail(s: string, i: number, uri: SipUri | TelUri): Parsed<true> {
  while (s.charCodeAt(i) === 0x3b) {
    const end = nextOf(s, i + 1, ';?');
    const param = s.slice(i + 1, end);
    const eq = param.indexOf('=');
    const name = eq === -1 ? param : param.slice(0, eq);
    const value = eq === -1 ? null : param.slice(eq + 1);
    if (name.length === 0 || !isEscapedRun(name, PARAMCHAR) || (value !== null && (value.length === 0 || !isEscapedRun(value, PARAMCHAR)))) {
      return fail(`invalid URI parameter ";${excerpt(param)}"`);
    }
    uri.params.push({ name, value });
    i = end;
  }
  if (i < s.length && s.charCodeAt(i) === 0x3f && 'headers' in uri) {
    for (const h of s.slice(i + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0 || !isEscapedRun(h.slice(0, eq), HNV) || !isEscapedRun(h.slice(eq + 1), HNV)) {
        return fail(`invalid URI header "${excerpt(h)}"`);
      }
      uri.headers.push({ name: h.slice(0, eq), value: h.slice(eq + 1) });
    }
    i = s.length;
  }
  return i === s.length ? ok(true) : fail(`unexpected "${excerpt(s, i)}" in URI`);
}

function nextOf(s: string, i: number, chars: string): number {
  while (i < s.length && !chars.includes(s[i]!)) i++;
  return i;
}

/**
 * tel URI (RFC 3966 §3): telephone-subscriber = global-number / local-number, then ";"-parameters.
 * global-number-digits = "+" *phonedigit DIGIT *phonedigit (visual separators - . ( )); local numbers
 * use HEXDIG, "*" and "#". Parameter names are alphanum / "-", values paramchar.
 */
export function parseTelUri(s: string): Parsed<TelUri> {
  const body = s.slice(4);
  const semi = body.indexOf(';');
  const number = semi === -1 ? body : body.slice(0, semi);
  // Two linear tests instead of one regex with overlapping repetitions (no catastrophic backtracking).
  const valid = number.startsWith('+')
    ? /^\+[\d.()-]+$/.test(number) && /\d/.test(number)
    : /^[\d.()A-Fa-f*#-]+$/.test(number) && /[\dA-Fa-f*#]/.test(number);
  if (!valid) return fail(`invalid tel URI number "${excerpt(number)}"`);
  const uri: TelUri = { scheme: 'tel', number, params: [] };
  const rest = parseUriTail(s, semi === -1 ? s.length : 4 + semi, uri);
  if (!rest.ok) return rest;
  return uri.params.every((p) => /^[A-Za-z0-9-]+$/.test(p.name)) ? ok(uri) : fail('invalid tel URI parameter name');
}

/** Format a URI back to text (the inverse of parseUri for the parsed forms). */
export function formatUri(u: Uri): string {
  if ('opaque' in u) return `${u.scheme}:${u.opaque}`;
  if (u.scheme === 'tel') return `tel:${u.number}${formatParams(u.params)}`;
  let out = `${u.scheme}:`;
  if (u.user !== undefined) out += `${u.user}${u.password !== undefined ? `:${u.password}` : ''}@`;
  out += u.host + (u.port !== undefined ? `:${u.port}` : '') + formatParams(u.params);
  if (u.headers.length > 0) out += `?${u.headers.map((h) => `${h.name}=${h.value}`).join('&')}`;
  return out;
}

/** Decode %HH escapes (as UTF-8); invalid sequences are left as written. */
export function unescape(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

// ---- name-addr / addr-spec (§20.10, §20.20, §20.39, §25.1) ----

/** From, To, Contact, Route, Record-Route element: ( name-addr / addr-spec ) *( SEMI param ). */
export interface NameAddr {
  /** Display name: a quoted string's content (quoted-pairs resolved) or the token sequence as written. */
  displayName?: string;
  uri: Uri;
  /** Header parameters (tag, expires, q, ...): not URI parameters. */
  params: Param[];
}

/**
 * Parse one name-addr or addr-spec with its header parameters.
 * name-addr = [ display-name ] LAQUOT addr-spec RAQUOT; display-name = *(token LWS) / quoted-string.
 * An addr-spec without <> ends at the first ";" and must not contain "," "?" or whitespace (§20:
 * such URIs MUST be enclosed in <>), so its ";..." are header parameters (RFC 4475 §3.3.12).
 */
export function parseNameAddr(value: string): Parsed<NameAddr> {
  const s = trimWs(value);
  let i: number;
  let displayName: string | undefined;
  if (s.charCodeAt(0) === 0x22) {
    const end = scanQuoted(s, 0);
    if (end === -1) return fail('unterminated or invalid quoted display name');
    displayName = unquote(s.slice(0, end));
    i = skipWs(s, end);
    if (s.charCodeAt(i) !== 0x3c) return fail('quoted display name not followed by <URI>');
  } else {
    i = skipDisplayTokens(s);
    if (s.charCodeAt(i) === 0x3c) {
      if (i > 0) displayName = trimWs(s.slice(0, i));
    } else if (s.includes('<')) {
      return fail(`display name "${excerpt(s)}" must be tokens or a quoted string`);
    } else {
      return parseAddrSpec(s);
    }
  }
  const close = s.indexOf('>', i);
  if (close === -1) return fail('missing ">" after URI');
  const inner = s.slice(i + 1, close);
  if (/[\s<]/.test(inner)) return fail(`whitespace or "<" inside <${excerpt(inner)}>`);
  const uri = parseUri(inner);
  if (!uri.ok) return uri;
  const params = parseParams(s, close + 1);
  if (!params.ok) return params;
  if (params.value.end !== s.length) return fail(`unexpected "${excerpt(s, params.value.end)}" after URI`);
  return ok({ ...(displayName !== undefined ? { displayName } : {}), uri: uri.value, params: params.value.params });
}

/** Index after `*(token LWS)` at the start of `s`. */
function skipDisplayTokens(s: string): number {
  let i = 0;
  for (;;) {
    const end = spanSet(s, i, TOKEN);
    if (end === i) return i;
    i = skipWs(s, end);
  }
}

function parseAddrSpec(s: string): Parsed<NameAddr> {
  const semi = s.indexOf(';');
  const text = trimWs(semi === -1 ? s : s.slice(0, semi));
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x2c || c === 0x3f || isWs(c)) {
      return fail(`URI "${excerpt(text)}" contains "${text[k]}" and must be enclosed in <>`);
    }
  }
  const uri = parseUri(text);
  if (!uri.ok) return uri;
  const params = parseParams(s, semi === -1 ? s.length : semi);
  if (!params.ok) return params;
  if (params.value.end !== s.length) return fail(`unexpected "${excerpt(s, params.value.end)}" after URI`);
  return ok({ uri: uri.value, params: params.value.params });
}

/** Contact = STAR / contact-param *(COMMA contact-param) (§20.10). `'*'` for the wildcard. */
export function parseContactList(value: string): Parsed<NameAddr[] | '*'> {
  if (trimWs(value) === '*') return ok('*');
  return parseNameAddrList(value, 'Contact');
}

/** A comma-separated list of name-addr/addr-spec (Contact, Route, Record-Route, Path, ...). */
export function parseNameAddrList(value: string, what: string): Parsed<NameAddr[]> {
  const out: NameAddr[] = [];
  for (const part of splitTopLevel(value)) {
    if (part.length === 0) return fail(`empty element in ${what} list`);
    const na = parseNameAddr(part);
    if (!na.ok) return na;
    out.push(na.value);
  }
  return ok(out);
}

/** Format a name-addr: always with <>, the display name quoted when it is not a plain token sequence. */
export function formatNameAddr(na: NameAddr): string {
  let name = '';
  if (na.displayName !== undefined) {
    name = /^[A-Za-z0-9\-.!%*_+`'~]+( [A-Za-z0-9\-.!%*_+`'~]+)*$/.test(na.displayName) ? na.displayName : quote(na.displayName);
    name += ' ';
  }
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}
