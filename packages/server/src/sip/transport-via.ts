/**
 * Stamping the top Via of a received request (RFC 3261 §18.2.1, RFC 3581 §4):
 *   - `received=<source ip>` when the sent-by host is a domain name or an address other than the
 *     packet's source; always when the Via carries `rport` (RFC 3581 §4 "MUST ... even if identical");
 *   - `rport=<source port>` when the Via carries an empty `rport`.
 * The stamps record where the request really came from; the transport answers there and only there.
 */
import { normalizeAddress } from '../net.js';
import { headerKey, type SipRequest } from './message.js';
import { splitTopLevel } from './syntax.js';
import { formatVia, parseVia, type Via } from './via.js';

export interface PacketSource {
  address: string;
  port: number;
}

function sameHost(sentBy: string, source: string): boolean {
  const host = sentBy.startsWith('[') && sentBy.endsWith(']') ? sentBy.slice(1, -1) : sentBy;
  return normalizeAddress(host) === normalizeAddress(source);
}

/** Apply the stamps to a parsed Via (in place). Returns true when something changed. */
function stamp(via: Via, source: PacketSource): boolean {
  const needReceived = via.hasRport || !sameHost(via.host, source.address);
  const fillRport = via.hasRport && via.rport === undefined;
  if (!needReceived && !fillRport) return false;
  const params = via.params.filter((p) => {
    const key = p.name.toLowerCase();
    return !(needReceived && key === 'received') && !(fillRport && key === 'rport');
  });
  if (fillRport) {
    params.push({ name: 'rport', value: String(source.port) });
    via.rport = source.port;
  }
  if (needReceived) {
    params.push({ name: 'received', value: source.address });
    via.received = source.address;
  }
  via.params = params;
  return true;
}

/** Stamp one via-parm text; unparseable text is returned unchanged. */
export function stampViaValue(value: string, source: PacketSource): string {
  const parsed = parseVia(value);
  if (!parsed.ok) return value;
  return stamp(parsed.value, source) ? formatVia(parsed.value) : value;
}

/** Stamp the topmost via-parm of the first Via line of `request` (in place). */
export function stampTopVia(request: SipRequest, source: PacketSource): void {
  const line = request.headers.find((h) => headerKey(h.name) === 'via');
  if (!line) return;
  const parts = splitTopLevel(line.value);
  const first = parts[0];
  if (first === undefined) return;
  const stamped = stampViaValue(first, source);
  if (stamped !== first) line.value = [stamped, ...parts.slice(1)].join(', ');
}
