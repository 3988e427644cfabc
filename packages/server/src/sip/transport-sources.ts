/**
 * Recent UDP packet sources: where requests really came from (RFC 3261 §18.2.2 with RFC 3581, the
 * response goes to the source address and port). A response to such a source is exempt from the egress
 * policy; any other destination is not. Bounded in size and age, so a flood of spoofed sources only
 * pushes old entries out.
 */
import { peerKey } from './transport-connections.js';

export class RecentSources {
  /** key -> time last seen; Map order is insertion order, refreshed on every sighting (oldest first). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  note(transport: string, address: string, port: number): void {
    const key = peerKey(transport, address, port);
    this.seen.delete(key);
    this.seen.set(key, this.now());
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
  }

  has(transport: string, address: string, port: number): boolean {
    const key = peerKey(transport, address, port);
    const at = this.seen.get(key);
    if (at === undefined) return false;
    if (this.now() - at > this.ttlMs) {
      this.seen.delete(key);
      return false;
    }
    return true;
  }
}
