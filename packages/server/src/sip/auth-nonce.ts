/**
 * Stateless, tamper-proof digest nonces (RFC 7616 §3.3 suggests "time-stamp H(time-stamp ":" ETag ":"
 * secret)") and the bounded nonce-count memory that makes replays impossible (RFC 7616 §3.4, nc).
 *
 * nonce = base64url( timestamp(8, float64 BE, ms on the Clock's scale) || random(16) || HMAC-SHA256(secret,
 * timestamp || random)(32) ). The server verifies issue time and authenticity without storing nonces.
 *
 * Scale-out note: the timestamp is on the injected Clock's scale (monotonic per process in production),
 * so a nonce is only accepted by the node that issued it unless the nodes share both the secret and a
 * clock on a common scale (e.g. one whose now() is Date.now()). Clients that hit another node get a
 * fresh challenge, nothing worse.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TS_LEN = 8;
const RANDOM_LEN = 16;
const MAC_LEN = 32;
const NONCE_LEN = TS_LEN + RANDOM_LEN + MAC_LEN;

export type NonceCheck = { ok: true; issuedAt: number } | { ok: false };

export class NonceCodec {
  constructor(private readonly secret: Buffer) {}

  issue(now: number): string {
    const head = Buffer.alloc(TS_LEN + RANDOM_LEN);
    head.writeDoubleBE(Math.floor(now), 0);
    randomBytes(RANDOM_LEN).copy(head, TS_LEN);
    return Buffer.concat([head, this.mac(head)]).toString('base64url');
  }

  /** Authenticity only (expiry is the caller's policy): the issue time if the HMAC verifies. */
  check(nonce: string): NonceCheck {
    if (nonce.length > 128 || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { ok: false };
    const raw = Buffer.from(nonce, 'base64url');
    // Reject non-canonical encodings too, so one nonce has exactly one spelling (replay map key).
    if (raw.length !== NONCE_LEN || raw.toString('base64url') !== nonce) return { ok: false };
    const head = raw.subarray(0, TS_LEN + RANDOM_LEN);
    if (!timingSafeEqual(raw.subarray(TS_LEN + RANDOM_LEN), this.mac(head))) return { ok: false };
    const issuedAt = head.readDoubleBE(0);
    return Number.isFinite(issuedAt) ? { ok: true, issuedAt } : { ok: false };
  }

  /** A stable opaque value for challenges (RFC 7616 §3.3 opaque), derived from the secret. */
  opaque(): string {
    return createHmac('sha256', this.secret).update('hotline-digest-opaque').digest('base64url').slice(0, 22);
  }

  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(data).digest();
  }
}

export type NcVerdict = 'ok' | 'replay' | 'evicted';

/**
 * Per-nonce highest nonce-count, as an LRU map bounded to `max` entries (RFC 7616 §3.4: the server
 * SHOULD reject a repeated nc). When an entry is evicted its issue time raises a watermark: any nonce
 * issued at or before the watermark that is not in the map is refused as stale, so an evicted nonce
 * can never be replayed (honest clients just retry with a fresh nonce, without re-prompting).
 */
export class NonceCounts {
  private readonly map = new Map<string, { nc: number; issuedAt: number }>();
  private watermark = Number.NEGATIVE_INFINITY;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** Would `nc` be accepted for this nonce? (Does not record it.) */
  check(nonce: string, issuedAt: number, nc: number): NcVerdict {
    const entry = this.map.get(nonce);
    if (entry === undefined) return issuedAt <= this.watermark ? 'evicted' : 'ok';
    return nc > entry.nc ? 'ok' : 'replay';
  }

  /** Record a verified use: nc becomes the highest seen for this nonce, which becomes most recent. */
  record(nonce: string, issuedAt: number, nc: number): void {
    this.map.delete(nonce);
    this.map.set(nonce, { nc, issuedAt });
    while (this.map.size > this.max) {
      const [oldest, entry] = this.map.entries().next().value as [string, { issuedAt: number }];
      this.map.delete(oldest);
      this.watermark = Math.max(this.watermark, entry.issuedAt);
    }
  }

  /** Forget a nonce that is expired anyway (it is refused as stale by its timestamp from now on). */
  forget(nonce: string): void {
    this.map.delete(nonce);
  }
}
