/**
 * Messages the transaction layer builds itself: responses from a request (§8.2.6: 100 Trying, 503 when
 * overloaded, the 408/503 a client transaction reports to its TU, §8.1.3.1), the ACK for a non-2xx final
 * response (§17.1.1.3), and fresh branch parameters (§8.1.1.7) and tags (§19.3).
 */
import { randomBytes } from 'node:crypto';
import { getCSeq, getTo, getVias } from './fields.js';
import { getHeader, getHeaders, headerKey, SIP_VERSION, type SipHeader, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import { getParam } from './syntax.js';
import { formatVia, parseViaList } from './via.js';
import { MAGIC_COOKIE } from './transaction-keys.js';

/** A branch unique in space and time, starting with the magic cookie (§8.1.1.7): 96 random bits. */
export function newBranch(): string {
  return MAGIC_COOKIE + randomBytes(12).toString('base64url');
}

/** A tag for From/To (§19.3: at least 32 bits of randomness). */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** The tag parameter of the To header field, if any. */
export function toTagOf(m: SipMessage): string | undefined {
  const to = getTo(m);
  const tag = to ? getParam(to.params, 'tag') : undefined;
  return tag ?? undefined;
}

/** The branch of the topmost Via, if any. */
export function topBranch(m: SipMessage): string | undefined {
  return getVias(m)?.[0]?.branch;
}

/**
 * Build a response to `request` (§8.2.6.2): Via lines (all, in order), From, To, Call-ID and CSeq copied;
 * a To tag added when `toTag` is given and To has none; Timestamp echoed in a 100 (§8.2.6.1).
 */
export function createResponse(request: SipRequest, status: number, reason: string, opts: { toTag?: string } = {}): SipResponse {
  const headers: SipHeader[] = [];
  const copy = (name: string) => {
    for (const value of getHeaders(request, name)) headers.push({ name, value });
  };
  copy('Via');
  copy('From');
  const to = getHeader(request, 'To');
  if (to !== undefined) {
    const tagged = opts.toTag !== undefined && toTagOf(request) === undefined ? `${to};tag=${opts.toTag}` : to;
    headers.push({ name: 'To', value: tagged });
  }
  copy('Call-ID');
  copy('CSeq');
  if (status === 100) copy('Timestamp');
  return { kind: 'response', version: SIP_VERSION, status, reason, headers, body: Buffer.alloc(0) };
}

/** The topmost Via value alone (the first element of the first Via line). */
function topViaValue(request: SipRequest): string | undefined {
  const first = getHeader(request, 'Via');
  if (first === undefined) return undefined;
  const list = parseViaList(first);
  return list.ok && list.value[0] ? formatVia(list.value[0]) : first;
}

/**
 * The ACK for a non-2xx final response (§17.1.1.3): Request-URI, Call-ID and From of the INVITE; To of
 * the response (with its tag); a single Via equal to the INVITE's top Via (same branch); the INVITE's
 * CSeq number with method ACK; the INVITE's Route header fields; no body.
 */
export function createAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: SipHeader[] = [];
  const via = topViaValue(invite);
  if (via !== undefined) headers.push({ name: 'Via', value: via });
  for (const value of getHeaders(invite, 'Route')) headers.push({ name: 'Route', value });
  headers.push({ name: 'Max-Forwards', value: getHeader(invite, 'Max-Forwards') ?? '70' });
  const pairs: Array<[string, string | undefined]> = [
    ['From', getHeader(invite, 'From')],
    ['To', getHeader(response, 'To') ?? getHeader(invite, 'To')],
    ['Call-ID', getHeader(invite, 'Call-ID')],
    ['CSeq', `${getCSeq(invite)?.seq ?? 0} ACK`],
  ];
  for (const [name, value] of pairs) if (value !== undefined) headers.push({ name, value });
  return { kind: 'request', method: 'ACK', uri: invite.uri, version: SIP_VERSION, headers, body: Buffer.alloc(0) };
}

/**
 * Put `branch` on the topmost Via of `request` (in place), replacing any branch it has. Returns false
 * when the request has no parseable Via.
 */
export function setTopBranch(request: SipRequest, branch: string): boolean {
  const line = request.headers.find((h) => headerKey(h.name) === 'via');
  if (!line) return false;
  const list = parseViaList(line.value);
  if (!list.ok || !list.value[0]) return false;
  const top = list.value[0];
  top.params = [...top.params.filter((p) => p.name.toLowerCase() !== 'branch'), { name: 'branch', value: branch }];
  top.branch = branch;
  line.value = list.value.map(formatVia).join(', ');
  return true;
}
