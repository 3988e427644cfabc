/**
 * Header names: canonical spelling, compact forms and which headers are comma-separated lists.
 *
 * RFC 3261 §7.3.1: field names are case-insensitive; a header whose grammar is a comma-separated list may
 * appear several times, which is equivalent to one line with the values joined by commas. §7.3.3 and
 * §20: compact forms. Headers whose grammar is not a list (WWW-Authenticate, Authorization, Date, ...)
 * must never be split at commas, and unknown headers are not split either (their grammar is unknown).
 */
import { splitTopLevel } from './syntax.js';

/** Canonical spellings of the headers this stack knows (RFC 3261 §20 and common extensions). */
const CANONICAL = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
  'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
  'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Diversion',
  'Error-Info', 'Event', 'Expires', 'From', 'History-Info', 'Identity', 'Identity-Info', 'In-Reply-To', 'Join',
  'Max-Forwards', 'MIME-Version', 'Min-Expires', 'Min-SE', 'Organization', 'P-Asserted-Identity',
  'P-Preferred-Identity', 'Path', 'Priority', 'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization',
  'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Replaces',
  'Reply-To', 'Request-Disposition', 'Require', 'Retry-After', 'Route', 'RSeq', 'Security-Client',
  'Security-Server', 'Security-Verify', 'Server', 'Service-Route', 'Session-Expires', 'SIP-ETag',
  'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported',
  'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
] as const;

/** Compact forms (RFC 3261 §7.3.3 and the extensions that define one; IANA "Header Fields" registry). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type', f: 'From',
  s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', r: 'Refer-To', b: 'Referred-By',
  x: 'Session-Expires', u: 'Allow-Events', a: 'Accept-Contact', j: 'Reject-Contact', d: 'Request-Disposition',
  y: 'Identity', n: 'Identity-Info',
};

/** Headers whose grammar is `value *(COMMA value)` (RFC 3261 §20 and extensions): safe to split at commas. */
const LIST_HEADERS = new Set([
  'accept', 'accept-contact', 'accept-encoding', 'accept-language', 'alert-info', 'allow', 'allow-events',
  'call-info', 'contact', 'content-encoding', 'content-language', 'diversion', 'error-info', 'history-info',
  'in-reply-to', 'p-asserted-identity', 'p-preferred-identity', 'path', 'proxy-require', 'reason',
  'record-route', 'reject-contact', 'request-disposition', 'require', 'route', 'security-client',
  'security-server', 'security-verify', 'service-route', 'supported', 'unsupported', 'via', 'warning',
]);

/** Headers that must appear at most once (RFC 3261 §20 single-valued fields); repeats are a semantic error. */
export const SINGLE_HEADERS = ['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-type', 'expires'];

const BY_KEY = new Map<string, string>();
for (const name of CANONICAL) BY_KEY.set(name.toLowerCase(), name);
for (const [short, full] of Object.entries(COMPACT_FORMS)) BY_KEY.set(short, full);

/** Exact spellings seen most (canonical, lower case, compact) -> key, to skip toLowerCase on the hot path. */
const KEY_OF = new Map<string, string>();
for (const [lower, full] of BY_KEY) {
  KEY_OF.set(lower, full.toLowerCase());
  KEY_OF.set(full, full.toLowerCase());
}

/** The lookup key of a header name: lower case, compact form expanded ("v" and "VIA" -> "via"). */
export function headerKey(name: string): string {
  const known = KEY_OF.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  const full = BY_KEY.get(lower);
  return full === undefined ? lower : full.toLowerCase();
}

/** Canonical spelling of a header name ("cseq" -> "CSeq", "i" -> "Call-ID"); unknown names are kept as given. */
export function canonicalName(name: string): string {
  return BY_KEY.get(name.toLowerCase()) ?? name;
}

/** True if the header's grammar is a comma-separated list (see LIST_HEADERS). */
export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}

/**
 * The values of one header field line: split at top-level commas for list headers (respecting quoted
 * strings and <...>), empty elements dropped; the whole value for every other header.
 */
export function splitHeaderValue(name: string, value: string): string[] {
  if (!isListHeader(name)) return [value];
  return splitTopLevel(value).filter((v) => v.length > 0);
}
