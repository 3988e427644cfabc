/**
 * Syntax checks a SIP message must pass before any layer above sees it: the required header fields
 * (RFC 3261 §8.1.1, §8.2.2), the grammar of the fields transactions and dialogs rely on (Via, From, To,
 * Contact, Route, Call-ID, CSeq, Max-Forwards, Date), and the CSeq method matching the request method
 * (§8.1.1.5, RFC 4475 §3.1.2.17). Semantic problems that a higher layer should answer (repeated
 * single-valued fields, RFC 4475 §3.3.8) are returned as warnings, not errors.
 */
import { parseCallId, parseCSeq, parseMaxForwards, parseSipDate } from './fields.js';
import { canonicalName, headerKey, SINGLE_HEADERS } from './headers.js';
import type { SipMessage } from './message.js';
import type { Parsed } from './syntax.js';
import { parseContactList, parseNameAddr, parseNameAddrList } from './uri.js';
import { parseViaList } from './via.js';

export interface ParseWarning {
  /** Stable code: single-header-repeated | max-forwards-missing | max-forwards-range | content-length-repeated | no-blank-line */
  code: string;
  text: string;
}

export interface Verdict {
  /** The first error: code is the status a request deserves (responses are dropped). */
  error?: { code: number; reason: string };
  warnings: ParseWarning[];
}

/** Methods of RFC 3261 and its extensions; an unknown method with a CSeq mismatch gets 501 (RFC 4475 §3.1.2.18). */
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'UPDATE',
  'MESSAGE', 'REFER', 'PUBLISH',
]);

const REQUIRED = [
  ['via', 'Via'], ['from', 'From'], ['to', 'To'], ['call-id', 'Call-ID'], ['cseq', 'CSeq'],
] as const;

type Check = (value: string) => Parsed<unknown>;

/** The grammar checked for each known header (by lookup key). */
const CHECKS: Record<string, Check> = {
  via: parseViaList,
  from: parseNameAddr,
  to: parseNameAddr,
  contact: parseContactList,
  route: (v) => parseNameAddrList(v, 'Route'),
  'record-route': (v) => parseNameAddrList(v, 'Record-Route'),
  'call-id': parseCallId,
  cseq: parseCSeq,
  'max-forwards': parseMaxForwards,
  date: parseSipDate,
};

/** Check a message whose start line and framing were already accepted. */
export function validateMessage(m: SipMessage): Verdict {
  const warnings: ParseWarning[] = [];
  const counts = new Map<string, number>();
  for (const h of m.headers) {
    const key = headerKey(h.name);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const check = CHECKS[key];
    const result = check?.(h.value);
    if (result && !result.ok) return { error: { code: 400, reason: `Invalid ${h.name} header: ${result.error}` }, warnings };
  }
  const missing = REQUIRED.filter(([key]) => !counts.has(key)).map(([, name]) => name);
  if (missing.length > 0) return { error: { code: 400, reason: `Missing required header ${missing.join(', ')}` }, warnings };
  for (const key of SINGLE_HEADERS) {
    const n = counts.get(key) ?? 0;
    if (n > 1) warnings.push({ code: 'single-header-repeated', text: `${canonicalName(key)} appears ${n} times` });
  }
  if (m.kind === 'request') {
    const error = checkRequest(m, counts, warnings);
    if (error) return { error, warnings };
  }
  return { warnings };
}

function checkRequest(m: SipMessage & { kind: 'request' }, counts: Map<string, number>, warnings: ParseWarning[]): Verdict['error'] {
  if (!counts.has('max-forwards')) {
    // RFC 3261 §8.1.1.6 makes it mandatory, but RFC 2543 clients omit it (RFC 4475 §3.4.1): tolerated.
    warnings.push({ code: 'max-forwards-missing', text: 'no Max-Forwards header (RFC 2543 client?)' });
  } else {
    const mf = m.headers.find((h) => headerKey(h.name) === 'max-forwards');
    const value = mf ? parseMaxForwards(mf.value) : undefined;
    if (value?.ok && value.value > 255) warnings.push({ code: 'max-forwards-range', text: 'Max-Forwards above 255' });
  }
  const cseqLine = m.headers.find((h) => headerKey(h.name) === 'cseq');
  const cseq = cseqLine ? parseCSeq(cseqLine.value) : undefined;
  if (cseq?.ok && cseq.value.method !== m.method) {
    const code = KNOWN_METHODS.has(m.method) ? 400 : 501;
    return { code, reason: `CSeq method ${cseq.value.method} does not match request method ${m.method}` };
  }
  return undefined;
}
