/**
 * Routing rules of calls through trunks and numbers (the B2BUA applies them; calls/b2bua.ts):
 *
 *   - From a trunk (source inside an enabled trunk's inbound CIDRs, and not a source an agent registered
 *     from): the Request-URI user must be a number (DID), else 404. `agent:<ext>` rings the agent's
 *     registered devices like an agent-to-agent call; `queue:` and `flow:` get 480 with a Warning (the
 *     contact-center core is not there yet).
 *   - From an authenticated agent to something that is not an extension: a number routes the same way;
 *     anything else goes out through the first usable trunk (routing/call-routes.ts); none: 404.
 *   - Limits: a trunk's `maxCalls` (0 = unlimited) reached gives 503 Service Unavailable (RFC 3261
 *     §21.5.4: a capacity limit of ours; a carrier tries another route, an agent's phone shows the
 *     failure), and an agent at MAX_CALLS_PER_AGENT concurrent calls (as caller or callee) gives
 *     486 Busy Here (§21.4.24: the callee, or the caller's own line, is busy).
 *   - A carrier's 401/407 to an outbound INVITE is answered once with digest credentials (RFC 3261
 *     §22.2/§22.3, qop=auth or none) when the trunk has outbound credentials.
 */
import { randomBytes } from 'node:crypto';
import { type DigestAlgorithm, formatCredentials, parseChallenge } from '../sip/auth-header.js';
import { digestHash, digestResponse } from '../sip/digest-auth.js';
import { getCSeq } from '../sip/fields.js';
import { getHeaders, type SipRequest, type SipResponse } from '../sip/message.js';
import type { Call } from './call.js';
import { CORE_NOT_AVAILABLE, MAX_CALLS_PER_AGENT, type NumberRoute } from './trunk-port.js';

export type Answer = { status: number; reason: string; headers?: Array<[string, string]> };

export const BUSY: Answer = { status: 486, reason: 'Busy Here' };
export const TRUNK_FULL: Answer = { status: 503, reason: 'Service Unavailable', headers: [['Retry-After', '5']] };
export const NOT_FOUND: Answer = { status: 404, reason: 'Not Found' };

/** A number's route that is not an agent: the answer (queue/flow: 480 with a Warning). */
export function notAgentAnswer(_route: NumberRoute): Answer {
  return { status: 480, reason: 'Temporarily Unavailable', headers: [['Warning', CORE_NOT_AVAILABLE]] };
}

/** Whether the agent has reached the concurrent call limit. */
export function agentBusy(calls: Iterable<Call>, extension: string): boolean {
  let n = 0;
  for (const c of calls) if (c.agents.includes(extension)) n++;
  return n >= MAX_CALLS_PER_AGENT;
}

/** Whether the trunk has reached its `maxCalls` (0 = unlimited). */
export function trunkFull(calls: Iterable<Call>, trunk: string, maxCalls: number): boolean {
  if (maxCalls <= 0) return false;
  let n = 0;
  for (const c of calls) if (c.trunk === trunk) n++;
  return n >= maxCalls;
}

/**
 * The INVITE again with credentials for a 401/407 challenge (§22.2: same Call-ID, From, To, CSeq + 1,
 * a new branch); null when the challenge cannot be answered (unknown algorithm, qop without auth).
 */
export function authorizedInvite(invite: SipRequest, res: SipResponse, cred: { username: string; password: string }): SipRequest | null {
  const proxy = res.status === 407;
  const raw = getHeaders(res, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
  for (const value of raw) {
    const parsed = parseChallenge(value);
    if (!parsed.ok) continue;
    const c = parsed.value;
    const algorithm = (c.algorithm ?? 'MD5') as DigestAlgorithm;
    if (algorithm !== 'MD5' && algorithm !== 'SHA-256') continue;
    if (c.qop && !c.qop.includes('auth')) continue;
    const ha1 = digestHash(algorithm, `${cred.username}:${c.realm}:${cred.password}`);
    const cnonce = randomBytes(8).toString('hex');
    const response = c.qop
      ? digestResponse(algorithm, ha1, { method: 'INVITE', uri: invite.uri, nonce: c.nonce, nc: '00000001', cnonce, qop: 'auth' })
      : digestHash(algorithm, `${ha1}:${c.nonce}:${digestHash(algorithm, `INVITE:${invite.uri}`)}`);
    const credentials = formatCredentials({
      username: cred.username, realm: c.realm, nonce: c.nonce, uri: invite.uri, response, algorithm,
      ...(c.opaque !== undefined ? { opaque: c.opaque } : {}),
      ...(c.qop ? { qop: 'auth', nc: '00000001', cnonce } : {}),
    });
    const seq = (getCSeq(invite)?.seq ?? 1) + 1;
    // The transaction layer gives the new INVITE its own branch.
    const headers = invite.headers.map((h) => (h.name.toLowerCase() === 'cseq' ? { name: h.name, value: `${seq} INVITE` } : { ...h }));
    headers.push({ name: proxy ? 'Proxy-Authorization' : 'Authorization', value: credentials });
    return { ...invite, headers, body: Buffer.from(invite.body) };
  }
  return null;
}
