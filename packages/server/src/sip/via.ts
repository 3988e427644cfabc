/**
 * Via header (RFC 3261 §20.42, §25.1; rport RFC 3581; IPv6 RFC 5118 §4.5):
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport   (SLASH = SWS "/" SWS)
 *   sent-by       = host [ COLON port ]                                    (COLON = SWS ":" SWS)
 *   via-params    = via-ttl / via-maddr / via-received / via-branch / response-port / via-extension
 */
import {
  excerpt, fail, formatParams, type HostKind, hostKind, isIPv4, isIPv6, isToken, isWs, ok, type Param,
  parseHostPort, type Parsed, parseParams, parsePort, skipWs, spanSet, splitTopLevel, TOKEN,
} from './syntax.js';

export interface Via {
  /** "SIP" (as written). */
  protocol: string;
  /** "2.0" (as written). */
  version: string;
  /** Upper-cased transport token: UDP, TCP, TLS, SCTP, WS, WSS or any extension. */
  transport: string;
  /** sent-by host as written (IPv6 with brackets). */
  host: string;
  hostKind: HostKind;
  port?: number;
  /** All parameters in order, as written. */
  params: Param[];
  branch?: string;
  /** received address without IPv6 brackets (RFC 5118 §4.5 allows both forms on input). */
  received?: string;
  /** True when an rport parameter is present, with or without a value (RFC 3581 §3, §4). */
  hasRport: boolean;
  rport?: number;
  maddr?: string;
  ttl?: number;
}

/** Parse one via-parm (one element of a Via header's comma list). */
export function parseVia(value: string): Parsed<Via> {
  const proto = parseSentProtocol(value);
  if (!proto.ok) return proto;
  const { protocol, version, transport, end } = proto.value;
  if (!isWs(value.charCodeAt(end))) return fail('Via: missing whitespace before sent-by');
  const hp = parseHostPort(value, skipWs(value, end), true);
  if (!hp.ok) return fail(`Via sent-by: ${hp.error}`);
  const params = parseParams(value, hp.value.end);
  if (!params.ok) return fail(`Via: ${params.error}`);
  if (params.value.end !== value.length) return fail(`Via: unexpected "${excerpt(value, params.value.end)}"`);
  const via: Via = {
    protocol, version, transport, host: hp.value.host, hostKind: hp.value.kind, params: params.value.params, hasRport: false,
  };
  if (hp.value.port !== undefined) via.port = hp.value.port;
  const known = applyKnownParams(via);
  return known.ok ? ok(via) : known;
}

/** sent-protocol with SWS around the slashes (RFC 4475 §3.1.1.1 "SIP  /   2.0 /UDP"). */
function parseSentProtocol(s: string): Parsed<{ protocol: string; version: string; transport: string; end: number }> {
  const parts: string[] = [];
  let i = skipWs(s, 0);
  for (let k = 0; k < 3; k++) {
    if (k > 0) {
      i = skipWs(s, i);
      if (s.charCodeAt(i) !== 0x2f) return fail(`Via: malformed sent-protocol "${excerpt(s)}"`);
      i = skipWs(s, i + 1);
    }
    const end = spanSet(s, i, TOKEN);
    if (end === i) return fail(`Via: malformed sent-protocol "${excerpt(s)}"`);
    parts.push(s.slice(i, end));
    i = end;
  }
  return ok({ protocol: parts[0]!, version: parts[1]!, transport: parts[2]!.toUpperCase(), end: i });
}

/** Validate and lift the parameters RFC 3261 §20.42 and RFC 3581 give a grammar (one pass; first one wins). */
function applyKnownParams(via: Via): Parsed<true> {
  for (const { name, value } of via.params) {
    const key = name.length <= 8 ? name.toLowerCase() : '';
    if (key === 'branch' && via.branch === undefined) {
      if (value === null || !isToken(value)) return fail('Via: invalid branch parameter');
      via.branch = value;
    } else if (key === 'received' && via.received === undefined) {
      const addr = value?.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
      if (addr === null || !(isIPv4(addr) || isIPv6(addr))) return fail('Via: received is not an IP address');
      via.received = addr;
    } else if (key === 'rport' && !via.hasRport) {
      via.hasRport = true;
      const port = value === null ? undefined : parsePort(value);
      if (port === null) return fail('Via: invalid rport value');
      if (port !== undefined) via.rport = port;
    } else if (key === 'maddr' && via.maddr === undefined) {
      if (value === null || hostKind(value) === null) return fail('Via: invalid maddr');
      via.maddr = value;
    } else if (key === 'ttl' && via.ttl === undefined) {
      if (value === null || !/^\d{1,3}$/.test(value) || Number(value) > 255) return fail('Via: invalid ttl');
      via.ttl = Number(value);
    }
  }
  return ok(true);
}

/** Parse a whole Via header value, which may hold several comma-separated via-parms. */
export function parseViaList(value: string): Parsed<Via[]> {
  const out: Via[] = [];
  for (const part of splitTopLevel(value)) {
    if (part.length === 0) return fail('Via: empty element in list');
    const via = parseVia(part);
    if (!via.ok) return via;
    out.push(via.value);
  }
  return ok(out);
}

/** Format a Via back to text (for building requests and responses). */
export function formatVia(via: Via): string {
  const port = via.port !== undefined ? `:${via.port}` : '';
  return `${via.protocol}/${via.version}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
