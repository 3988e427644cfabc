/**
 * Routing rules of calls through trunks and numbers (the B2BUA applies them; calls/b2bua.ts):
 *
 *   - From a trunk (source inside an enabled trunk's inbound CIDRs, and not a source an agent registered
 *     from; or, from any source, an INVITE whose Proxy-Authorization user is an enabled trunk's inbound
 *     digest user and whose digest verifies against that trunk's HA1, with the agents' 407 challenge and
 *     ban counting): the Request-URI user must be a number (DID), else 404.
 *   - Precedence of digest users: agent extensions are digits only (acd/schemas.ts) and trunk inbound user
 *     names must contain a non-digit (routing/trunks.ts), so a user name is either an agent's or a
 *     trunk's; `isExtension` decides which HA1 is looked up. `agent:<ext>` rings the agent's
 *     registered devices like an agent-to-agent call; `queue:` and `flow:` get 480 with a Warning (the
 *     contact-center core is not there yet).
 *   - From an authenticated agent to something that is not an extension: a number routes the same way;
 *     anything else goes out through the first usable trunk (routing/call-routes.ts); none: 404.
 *   - Limits: a trunk's `maxCalls` (0 = unlimited) reached gives 503 Service Unavailable (RFC 3261
 *     §21.5.4: a capacity limit of ours; a carrier tries another route, an agent's phone shows the
 *     failure), and an agent at `sip.maxCallsPerAgent` concurrent calls (0 = unlimited) (as caller or callee) gives
 *     486 Busy Here (§21.4.24: the callee, or the caller's own line, is busy).
 *   - A carrier's 401/407 to an outbound INVITE is answered once with digest credentials (RFC 3261
 *     §22.2/§22.3, qop=auth or none) when the trunk has outbound credentials.
 */
import { parseCredentials } from '../sip/auth-header.js';
import { authorizedRequest, type ClientCredentials } from '../sip/auth-client.js';
import { getHeaders, type SipRequest, type SipResponse } from '../sip/message.js';
import type { Call } from './call.js';
import { CORE_NOT_AVAILABLE, type NumberRoute } from './trunk-port.js';

export type Answer = { status: number; reason: string; headers?: Array<[string, string]> };

export const BUSY: Answer = { status: 486, reason: 'Busy Here' };
export const TRUNK_FULL: Answer = { status: 503, reason: 'Service Unavailable', headers: [['Retry-After', '5']] };
export const NOT_FOUND: Answer = { status: 404, reason: 'Not Found' };

/** Whether a digest user name is an agent extension (digits only) rather than a trunk's user name. */
export function isExtension(user: string): boolean {
  return /^[0-9]+$/.test(user);
}

/** The user name of the request's Proxy-Authorization for `realm` (RFC 3261 §22.3), or undefined. */
export function digestUser(request: SipRequest, realm: string): string | undefined {
  for (const value of getHeaders(request, 'Proxy-Authorization')) {
    const parsed = parseCredentials(value);
    if (parsed.ok && parsed.value.realm === realm) return parsed.value.username;
  }
  return undefined;
}

/** A number's route that is not an agent: the answer (queue/flow: 480 with a Warning). */
export function notAgentAnswer(_route: NumberRoute): Answer {
  return { status: 480, reason: 'Temporarily Unavailable', headers: [['Warning', CORE_NOT_AVAILABLE]] };
}

/** Whether the agent has reached the concurrent call limit (`max`, 0 = unlimited). */
export function agentBusy(calls: Iterable<Call>, extension: string, max: number): boolean {
  if (max <= 0) return false;
  let n = 0;
  for (const c of calls) if (c.agents.includes(extension)) n++;
  return n >= max;
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
 * a new branch); null when the challenge cannot be answered (sip/auth-client.ts `authorizedRequest`).
 */
export function authorizedInvite(invite: SipRequest, res: SipResponse, cred: ClientCredentials): SipRequest | null {
  return authorizedRequest(invite, res, cred);
}
