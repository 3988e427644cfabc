/**
 * Digest authentication, client side (RFC 3261 §22.2 / §22.3, RFC 7616, RFC 8760): the request again with
 * credentials answering a 401 (WWW-Authenticate -> Authorization) or 407 (Proxy-Authenticate ->
 * Proxy-Authorization) from a peer we talk to as a client (a carrier: outbound calls through a trunk,
 * calls/trunk-calls.ts; outbound registration, routing/trunk-registration.ts). MD5 and SHA-256, with
 * qop=auth or without qop (RFC 2617 compatibility); other algorithms and qop=auth-int only are refused.
 * Same Call-ID, From, To; CSeq + 1; credentials of an earlier challenge are replaced; the transaction
 * layer gives the new request its own branch.
 */
import { randomBytes } from 'node:crypto';
import { type DigestAlgorithm, formatCredentials, parseChallenge } from './auth-header.js';
import { digestHash, digestResponse } from './digest-auth.js';
import { getCSeq } from './fields.js';
import { getHeaders, type SipRequest, type SipResponse } from './message.js';

export interface ClientCredentials {
  username: string;
  password: string;
}

/** `request` with credentials for the challenge in `res` (401/407); null when it cannot be answered. */
export function authorizedRequest(request: SipRequest, res: SipResponse, cred: ClientCredentials): SipRequest | null {
  const proxy = res.status === 407;
  const header = proxy ? 'Proxy-Authorization' : 'Authorization';
  for (const value of getHeaders(res, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate')) {
    const parsed = parseChallenge(value);
    if (!parsed.ok) continue;
    const c = parsed.value;
    const algorithm = (c.algorithm ?? 'MD5') as DigestAlgorithm;
    if (algorithm !== 'MD5' && algorithm !== 'SHA-256') continue;
    if (c.qop && !c.qop.includes('auth')) continue;
    const ha1 = digestHash(algorithm, `${cred.username}:${c.realm}:${cred.password}`);
    const cnonce = randomBytes(8).toString('hex');
    const response = c.qop
      ? digestResponse(algorithm, ha1, { method: request.method, uri: request.uri, nonce: c.nonce, nc: '00000001', cnonce, qop: 'auth' })
      : digestHash(algorithm, `${ha1}:${c.nonce}:${digestHash(algorithm, `${request.method}:${request.uri}`)}`);
    const credentials = formatCredentials({
      username: cred.username, realm: c.realm, nonce: c.nonce, uri: request.uri, response, algorithm,
      ...(c.opaque !== undefined ? { opaque: c.opaque } : {}),
      ...(c.qop ? { qop: 'auth', nc: '00000001', cnonce } : {}),
    });
    const seq = (getCSeq(request)?.seq ?? 1) + 1;
    const headers = request.headers
      .filter((h) => h.name.toLowerCase() !== header.toLowerCase())
      .map((h) => (h.name.toLowerCase() === 'cseq' ? { name: h.name, value: `${seq} ${request.method}` } : { ...h }));
    headers.push({ name: header, value: credentials });
    return { ...request, headers, body: Buffer.from(request.body) };
  }
  return null;
}
