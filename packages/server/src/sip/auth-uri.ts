/**
 * Does the digest-uri of credentials name the Request-URI? RFC 3261 §22.4 (with RFC 2617 §3.2.2.5):
 * the server must check that "uri" designates the same resource as the Request-Line. Identical strings
 * always match (the common case: clients copy the Request-URI). Otherwise two SIP URIs match when they
 * are equal by RFC 3261 §19.1.4: scheme, user and password (case-sensitive, after unescaping), host
 * (case-insensitive), port (absent is not 5060), the parameters user/ttl/method/maddr/transport when
 * either side has them, other parameters present on both sides, and the same headers. Any other URI
 * (tel:, unparseable) must be the identical string.
 */
import type { Param } from './syntax.js';
import { isSipUri, parseUri, type SipUri, unescape } from './uri.js';

const SIGNIFICANT = ['user', 'ttl', 'method', 'maddr', 'transport'];

function paramMap(params: readonly Param[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const p of params) m.set(p.name.toLowerCase(), p.value === null ? null : unescape(p.value).toLowerCase());
  return m;
}

function paramsMatch(a: readonly Param[], b: readonly Param[]): boolean {
  const x = paramMap(a);
  const y = paramMap(b);
  for (const name of SIGNIFICANT) if (x.has(name) !== y.has(name)) return false;
  for (const [name, value] of x) if (y.has(name) && y.get(name) !== value) return false;
  return true;
}

function headerKey(u: SipUri): string {
  return u.headers.map((h) => `${h.name.toLowerCase()}=${unescape(h.value)}`).sort().join('&');
}

function sipUrisEqual(a: SipUri, b: SipUri): boolean {
  return a.scheme === b.scheme
    && (a.user === undefined ? b.user === undefined : b.user !== undefined && unescape(a.user) === unescape(b.user))
    && (a.password === undefined ? b.password === undefined : b.password !== undefined && unescape(a.password) === unescape(b.password))
    && a.host.toLowerCase() === b.host.toLowerCase()
    && a.port === b.port
    && paramsMatch(a.params, b.params)
    && headerKey(a) === headerKey(b);
}

export function sameRequestUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  const a = parseUri(digestUri);
  const b = parseUri(requestUri);
  if (!a.ok || !b.ok || !isSipUri(a.value) || !isSipUri(b.value)) return false;
  return sipUrisEqual(a.value, b.value);
}
