/**
 * Digest authentication headers (RFC 3261 §22.4, §25.1; RFC 7616 §3.3-3.4; RFC 8760 for SHA-256):
 * challenges (`WWW-Authenticate`, `Proxy-Authenticate`) and credentials (`Authorization`,
 * `Proxy-Authorization`). Pure functions that never throw: every parser returns a `Parsed<T>`.
 *
 * Liberal where real clients differ and it is harmless: parameter names in any case, SP/HTAB around
 * "=" and ",", token values quoted or not (e.g. `algorithm="MD5"`, `qop="auth"`). Strict where it
 * matters: scheme Digest only, duplicate parameters rejected (RFC 7616 §3.3: each directive at most
 * once), nc exactly 8 hex digits, response 32 or 64 hex digits, nonce/realm/username present.
 */
import { fail, isToken, isWs, ok, type Parsed, quote, scanQuoted, skipWs, spanSet, TOKEN, unquote } from './syntax.js';

/** Longest header value we even look at: digests are short, a huge one is an attack. */
export const MAX_AUTH_HEADER_LENGTH = 4096;

/** Algorithms this server implements (RFC 7616 §3.3, RFC 8760 §2.4). The -sess variants are not offered. */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** A Digest challenge (RFC 7616 §3.3, RFC 3261 §25.1 digest-cln). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** As written, upper-cased; absent means MD5 (RFC 3261 §25.1). */
  algorithm?: string;
  /** qop-options: the quoted, comma-separated list, split (RFC 7616 §3.3). */
  qop?: string[];
  opaque?: string;
  stale?: boolean;
  domain?: string;
}

/** Digest credentials (RFC 7616 §3.4, RFC 3261 §25.1 dig-resp). */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  /** Lower-case hex. */
  response: string;
  /** Upper-cased; 'MD5' when absent (RFC 3261 §25.1, RFC 7616 §3.4). */
  algorithm: string;
  cnonce?: string;
  opaque?: string;
  /** message-qop: a token, e.g. "auth" (quoted accepted: some clients do). */
  qop?: string;
  /** nonce-count: exactly 8 hex digits, lower-cased (RFC 7616 §3.4). */
  nc?: string;
}

type RawParams = Map<string, string>;

/** Token values, liberally: token characters plus "/" "=" ":" (unquoted base64 or URIs seen in the wild). */
const TOKEN_VALUE = (() => {
  const set = new Uint8Array(128);
  set.set(TOKEN);
  for (const ch of '/=:@') set[ch.charCodeAt(0)] = 1;
  return set;
})();

/** Read `name = (token | quoted-string)` at `i`; returns the unquoted value and the index after it. */
function readParam(s: string, i: number): Parsed<{ name: string; value: string; end: number }> {
  const nameEnd = spanSet(s, i, TOKEN);
  if (nameEnd === i) return fail('expected a parameter name');
  const name = s.slice(i, nameEnd).toLowerCase();
  i = skipWs(s, nameEnd);
  if (s.charCodeAt(i) !== 0x3d) return fail(`parameter "${name}" has no value`);
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 0x22) {
    const end = scanQuoted(s, i);
    if (end < 0) return fail(`unterminated or invalid quoted value for "${name}"`);
    return ok({ name, value: unquote(s.slice(i, end)), end });
  }
  const end = spanSet(s, i, TOKEN_VALUE);
  if (end === i) return fail(`empty value for "${name}"`);
  return ok({ name, value: s.slice(i, end), end });
}

/** Split `Digest a=b, c="d"` into the scheme check and a map of lower-cased names to unquoted values. */
export function parseAuthParams(value: string): Parsed<RawParams> {
  if (typeof value !== 'string' || value.length > MAX_AUTH_HEADER_LENGTH) return fail('missing or oversized header');
  let i = skipWs(value, 0);
  const schemeEnd = spanSet(value, i, TOKEN);
  if (value.slice(i, schemeEnd).toLowerCase() !== 'digest') return fail('scheme is not Digest');
  if (!isWs(value.charCodeAt(schemeEnd))) return fail('expected whitespace after the scheme');
  const params: RawParams = new Map();
  for (i = skipWs(value, schemeEnd); ; ) {
    const p = readParam(value, i);
    if (!p.ok) return p;
    if (params.has(p.value.name)) return fail(`duplicate parameter "${p.value.name}"`);
    params.set(p.value.name, p.value.value);
    i = skipWs(value, p.value.end);
    if (i >= value.length) return ok(params);
    if (value.charCodeAt(i) !== 0x2c) return fail(`unexpected character after "${p.value.name}"`);
    i = skipWs(value, i + 1);
  }
}

function required(params: RawParams, name: string): Parsed<string> {
  const v = params.get(name);
  return v === undefined || v.length === 0 ? fail(`missing ${name}`) : ok(v);
}

function isHex(s: string, lengths: readonly number[]): boolean {
  return lengths.includes(s.length) && /^[0-9a-fA-F]+$/.test(s);
}

/** Parse one challenge (`WWW-Authenticate` / `Proxy-Authenticate` value). */
export function parseChallenge(value: string): Parsed<DigestChallenge> {
  const parsed = parseAuthParams(value);
  if (!parsed.ok) return parsed;
  const p = parsed.value;
  const realm = p.get('realm');
  if (realm === undefined) return fail('missing realm');
  const nonce = required(p, 'nonce');
  if (!nonce.ok) return nonce;
  const out: DigestChallenge = { realm, nonce: nonce.value };
  const algorithm = p.get('algorithm');
  if (algorithm !== undefined) out.algorithm = algorithm.toUpperCase();
  const qop = p.get('qop');
  if (qop !== undefined) {
    const list = qop.split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0);
    if (list.length === 0 || !list.every(isToken)) return fail('invalid qop list');
    out.qop = list;
  }
  const stale = p.get('stale');
  if (stale !== undefined) {
    if (!/^(true|false)$/i.test(stale)) return fail('invalid stale flag');
    out.stale = stale.toLowerCase() === 'true';
  }
  if (p.has('opaque')) out.opaque = p.get('opaque');
  if (p.has('domain')) out.domain = p.get('domain');
  return ok(out);
}

/** The optional qop/cnonce/nc triple (RFC 7616 §3.4: cnonce and nc MUST be present with qop). */
function parseQop(p: RawParams, out: DigestCredentials): string | null {
  const qop = p.get('qop');
  const cnonce = p.get('cnonce');
  const nc = p.get('nc');
  if (qop === undefined) return cnonce !== undefined || nc !== undefined ? 'cnonce or nc without qop' : null;
  if (!isToken(qop)) return 'invalid qop';
  if (cnonce === undefined || cnonce.length === 0) return 'qop without cnonce';
  if (nc === undefined || !isHex(nc, [8])) return 'nc must be 8 hex digits';
  out.qop = qop.toLowerCase();
  out.cnonce = cnonce;
  out.nc = nc.toLowerCase();
  return null;
}

/** Parse credentials (`Authorization` / `Proxy-Authorization` value). */
export function parseCredentials(value: string): Parsed<DigestCredentials> {
  const parsed = parseAuthParams(value);
  if (!parsed.ok) return parsed;
  const p = parsed.value;
  // RFC 7616 §3.4.4 userhash / username*: not offered by us, so not accepted.
  if (p.has('username*') || p.get('userhash')?.toLowerCase() === 'true') return fail('userhash is not supported');
  const fields: Record<string, string> = {};
  for (const name of ['username', 'nonce', 'uri', 'response']) {
    const v = required(p, name);
    if (!v.ok) return v;
    fields[name] = v.value;
  }
  const realm = p.get('realm');
  if (realm === undefined) return fail('missing realm');
  const algorithm = (p.get('algorithm') ?? 'MD5').toUpperCase();
  if (!isToken(algorithm)) return fail('invalid algorithm');
  if (!isHex(fields.response, [32, 64])) return fail('response must be 32 or 64 hex digits');
  const out: DigestCredentials = {
    username: fields.username, realm, nonce: fields.nonce, uri: fields.uri,
    response: fields.response.toLowerCase(), algorithm,
  };
  const qopError = parseQop(p, out);
  if (qopError !== null) return fail(qopError);
  if (p.has('opaque')) out.opaque = p.get('opaque');
  return ok(out);
}

/** Format a challenge, e.g. `Digest realm="x", nonce="...", opaque="...", algorithm=SHA-256, qop="auth"`. */
export function formatChallenge(c: DigestChallenge): string {
  const parts = [`realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`];
  if (c.domain !== undefined) parts.push(`domain=${quote(c.domain)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.stale !== undefined) parts.push(`stale=${c.stale ? 'true' : 'false'}`);
  if (c.algorithm !== undefined) parts.push(`algorithm=${c.algorithm}`);
  if (c.qop !== undefined) parts.push(`qop=${quote(c.qop.join(','))}`);
  return `Digest ${parts.join(', ')}`;
}

/** Format credentials (client side; used by tests and by outbound registration to trunks). */
export function formatCredentials(c: DigestCredentials): string {
  const parts = [
    `username=${quote(c.username)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`,
    `uri=${quote(c.uri)}`, `response=${quote(c.response)}`, `algorithm=${c.algorithm}`,
  ];
  if (c.cnonce !== undefined) parts.push(`cnonce=${quote(c.cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.qop !== undefined) parts.push(`qop=${c.qop}`);
  if (c.nc !== undefined) parts.push(`nc=${c.nc}`);
  return `Digest ${parts.join(', ')}`;
}
