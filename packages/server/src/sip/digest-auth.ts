/**
 * SIP digest authentication, server side (RFC 3261 §22.4, RFC 7616, RFC 8760), working from stored HA1
 * values only (never passwords). `challenge()` builds the WWW-Authenticate / Proxy-Authenticate values
 * (one per algorithm, SHA-256 first then MD5, RFC 8760 §2.4 / RFC 7616 §3.7); `verify()` checks the
 * Authorization / Proxy-Authorization of a request and returns a result, never throws for bad input.
 *
 * Checks, in order: credentials present and well-formed; realm ours; algorithm one we offered; qop
 * "auth" (we never offer qop-less RFC 2069 digests, so a missing qop is refused); opaque echoed if
 * sent; uri equals the Request-URI; nonce authentic (HMAC); user known; response correct (constant
 * time); nonce not expired (RFC 7616 §3.3: stale=true only once the digest itself proved correct);
 * nonce-count strictly increasing per nonce (replay protection).
 *
 * The caller answers 401 (Authorization) or 407 (Proxy-Authorization) with `result.challenge`, and must
 * not tell the client which check failed (unknown-user and bad-response look the same on the wire).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type DigestAlgorithm, type DigestCredentials, formatChallenge, parseCredentials } from './auth-header.js';
import { NonceCodec, NonceCounts } from './auth-nonce.js';
import { sameRequestUri } from './auth-uri.js';
import { type Clock, systemClock } from './clock.js';
import { getHeaders, type SipRequest } from './message.js';

export type AuthFailureReason =
  | 'missing' | 'malformed' | 'unknown-user' | 'bad-response' | 'stale' | 'replay' | 'realm' | 'uri' | 'algorithm';

export type AuthResult =
  | { ok: true; username: string }
  | { ok: false; reason: AuthFailureReason; challenge: string[] };

/** HA1 values of one user for the realm being verified (columns sip_ha1_md5, sip_ha1_sha256). */
export interface StoredHa1 {
  md5: string | null;
  sha256: string | null;
}

export interface VerifyOptions {
  realm: string;
  lookup(username: string): Promise<StoredHa1 | null>;
  /** Method for HA2; defaults to the request's method (RFC 3261 §22.4: the request's own method). */
  method?: string;
  /** Which credentials header to read (default Authorization; Proxy-Authorization for 407). */
  header?: 'Authorization' | 'Proxy-Authorization';
}

export interface DigestAuthOptions {
  /** HMAC secret for nonces (default: 32 random bytes, so nonces do not survive a restart). */
  secret?: Buffer;
  clock?: Clock;
  /** Nonce lifetime in ms (default 300 s); an older nonce gets stale=true. */
  nonceLifetimeMs?: number;
  /** Bound of the nonce-count memory (default 100k nonces). */
  maxNonces?: number;
  /** Algorithms offered, in order of preference (default SHA-256, MD5). */
  algorithms?: readonly DigestAlgorithm[];
}

const HASH: Record<DigestAlgorithm, 'md5' | 'sha256'> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** Digest hash H(data) as lower-case hex (RFC 7616 §3.4.1, §3.4.2, §3.4.3). */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(HASH[algorithm]).update(data, 'utf8').digest('hex');
}

/** request-digest for qop=auth: H(HA1:nonce:nc:cnonce:qop:H(method:uri)) (RFC 7616 §3.4.1). */
export function digestResponse(
  algorithm: DigestAlgorithm, ha1: string,
  p: { method: string; uri: string; nonce: string; nc: string; cnonce: string; qop: string },
): string {
  const ha2 = digestHash(algorithm, `${p.method}:${p.uri}`);
  return digestHash(algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

const DUMMY_HA1: Record<DigestAlgorithm, string> = { MD5: '0'.repeat(32), 'SHA-256': '0'.repeat(64) };

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

type Failure = Exclude<AuthResult, { ok: true }>;

export class DigestAuthenticator {
  private readonly clock: Clock;
  private readonly lifetimeMs: number;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly nonces: NonceCodec;
  private readonly counts: NonceCounts;
  private readonly opaque: string;

  constructor(opts: DigestAuthOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.lifetimeMs = opts.nonceLifetimeMs ?? 300_000;
    this.algorithms = opts.algorithms ?? ['SHA-256', 'MD5'];
    if (this.algorithms.length === 0) throw new RangeError('DigestAuthenticator: at least one algorithm');
    this.nonces = new NonceCodec(opts.secret ?? randomBytes(32));
    this.counts = new NonceCounts(opts.maxNonces ?? 100_000);
    this.opaque = this.nonces.opaque();
  }

  /** Challenge header values, one per algorithm (RFC 8760 §2.4: preferred first), each with its own nonce. */
  challenge(opts: { realm: string; stale?: boolean }): string[] {
    return this.algorithms.map((algorithm) => formatChallenge({
      realm: opts.realm, nonce: this.nonces.issue(this.clock.now()), opaque: this.opaque,
      ...(opts.stale ? { stale: true } : {}), algorithm, qop: ['auth'],
    }));
  }

  /** Number of nonces whose nonce-count is remembered (bounded by maxNonces). */
  get trackedNonces(): number {
    return this.counts.size;
  }

  async verify(request: SipRequest, opts: VerifyOptions): Promise<AuthResult> {
    const fail = (reason: AuthFailureReason, stale = false): Failure =>
      ({ ok: false, reason, challenge: this.challenge({ realm: opts.realm, stale }) });
    const picked = pickCredentials(getHeaders(request, opts.header ?? 'Authorization'), opts.realm);
    if (typeof picked === 'string') return fail(picked);
    const c = picked;
    const algorithm = this.algorithms.find((a) => a === c.algorithm);
    if (algorithm === undefined) return fail('algorithm');
    if (c.qop !== 'auth' || c.nc === undefined || c.cnonce === undefined) return fail('malformed');
    if (c.opaque !== undefined && c.opaque !== this.opaque) return fail('malformed');
    if (!sameRequestUri(c.uri, request.uri)) return fail('uri');
    const nonce = this.nonces.check(c.nonce);
    // A forged or altered nonce is not "stale": the client never got it from us.
    if (!nonce.ok) return fail('bad-response');
    const stored = await opts.lookup(c.username);
    const ha1 = stored === null ? null : algorithm === 'MD5' ? stored.md5 : stored.sha256;
    const method = opts.method ?? request.method;
    // The same hashing for unknown users, so timing does not tell which usernames exist.
    const expected = digestResponse(algorithm, ha1 || DUMMY_HA1[algorithm], { method, uri: c.uri, nonce: c.nonce, nc: c.nc, cnonce: c.cnonce, qop: c.qop });
    const match = equalHex(expected, c.response);
    if (stored === null) return fail('unknown-user');
    if (!ha1) return fail('algorithm');
    if (!match) return fail('bad-response');
    return this.checkFreshness(c, nonce.issuedAt, fail);
  }

  /** Expiry (RFC 7616 §3.3 stale) and nonce-count replay (RFC 7616 §3.4) of a correct digest. */
  private checkFreshness(c: DigestCredentials, issuedAt: number, fail: (r: AuthFailureReason, stale?: boolean) => Failure): AuthResult {
    const now = this.clock.now();
    if (now - issuedAt > this.lifetimeMs || issuedAt > now) {
      this.counts.forget(c.nonce);
      return fail('stale', true);
    }
    const nc = parseInt(c.nc ?? '', 16);
    const verdict = this.counts.check(c.nonce, issuedAt, nc);
    if (verdict === 'evicted') return fail('stale', true);
    if (verdict === 'replay') return fail('replay');
    this.counts.record(c.nonce, issuedAt, nc);
    return { ok: true, username: c.username };
  }
}

/**
 * The credentials for our realm among the request's headers (RFC 3261 §22.3: a request may carry one
 * per realm). 'missing' when there is none, 'malformed' when none parses, 'realm' when none is ours.
 */
function pickCredentials(values: readonly string[], realm: string): DigestCredentials | 'missing' | 'malformed' | 'realm' {
  if (values.length === 0) return 'missing';
  let sawValid = false;
  for (const v of values) {
    const parsed = parseCredentials(v);
    if (!parsed.ok) continue;
    sawValid = true;
    if (parsed.value.realm === realm) return parsed.value;
  }
  return sawValid ? 'realm' : 'malformed';
}
