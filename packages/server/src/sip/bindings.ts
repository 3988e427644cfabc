/**
 * The registrar's location service (RFC 3261 §10, §10.3): bindings of an address-of-record (AOR) to
 * contact addresses. The AOR is the agent's extension (the user part of To); each extension may have
 * several contacts (desk phone, softphone, ...).
 *
 * Single node: the bindings live in this process's memory only and do not survive a restart (clients
 * re-register within their interval). With several nodes behind a SIP load balancer each node knows
 * only the devices that registered through it; sharing them (Redis) is the scale-out path.
 */
import { normalizeAddress } from '../net.js';
import type { TransportName } from './transaction-types.js';

/** Where the REGISTER came from (the packet's source, never a header). */
export interface BindingSource {
  transport: TransportName;
  address: string;
  port: number;
  /** The stream connection (TCP/TLS/WS/WSS) the binding is tied to. */
  connectionId?: string;
}

export interface Binding {
  /** The address-of-record: the agent's extension. */
  aor: string;
  /** The contact URI as registered (formatted canonically, without header parameters). */
  contact: string;
  /** Lifetime granted by the last REGISTER, in seconds. */
  expires: number;
  /** Absolute expiry on the registrar's Clock scale (ms). */
  expiresAt: number;
  /** Wall-clock time (ms since the epoch) of the first registration of this contact. */
  registeredAt: number;
  callId: string;
  cseq: number;
  source: BindingSource;
  userAgent: string | null;
  /** The contact's q parameter (0..1), or null when absent. */
  q: number | null;
}

/** The key of a packet source: transport, normalized address and port. */
export function sourceKey(transport: TransportName, address: string, port: number): string {
  return `${transport} ${normalizeAddress(address)} ${port}`;
}

/**
 * Bindings by AOR, then by contact; insertion order kept (oldest contact first). The sources bindings
 * came from are counted by key, so "did anyone register from here" (the egress allow-list, asked for
 * every message sent; the B2BUA telling agents from trunks) is one map lookup with any number of devices.
 */
export class BindingStore {
  private readonly byAor = new Map<string, Map<string, Binding>>();
  private readonly sources = new Map<string, number>();

  /** Whether any binding came from this source. */
  hasSource(transport: TransportName, address: string, port: number): boolean {
    return this.sources.has(sourceKey(transport, address, port));
  }

  private count(b: Binding, delta: 1 | -1): void {
    const key = sourceKey(b.source.transport, b.source.address, b.source.port);
    const n = (this.sources.get(key) ?? 0) + delta;
    if (n > 0) this.sources.set(key, n);
    else this.sources.delete(key);
  }

  /** The bindings of one AOR, oldest first. */
  get(aor: string): Binding[] {
    return [...(this.byAor.get(aor)?.values() ?? [])];
  }

  find(aor: string, contact: string): Binding | undefined {
    return this.byAor.get(aor)?.get(contact);
  }

  set(b: Binding): void {
    let contacts = this.byAor.get(b.aor);
    if (!contacts) this.byAor.set(b.aor, (contacts = new Map()));
    const old = contacts.get(b.contact);
    if (old) this.count(old, -1);
    contacts.set(b.contact, b);
    this.count(b, 1);
  }

  /** Remove one binding; returns it, or undefined when there was none. */
  remove(aor: string, contact: string): Binding | undefined {
    const contacts = this.byAor.get(aor);
    const b = contacts?.get(contact);
    if (!contacts || !b) return undefined;
    contacts.delete(contact);
    this.count(b, -1);
    if (contacts.size === 0) this.byAor.delete(aor);
    return b;
  }

  /** Every binding, by AOR then oldest contact first. */
  all(): Binding[] {
    return [...this.byAor.values()].flatMap((m) => [...m.values()]);
  }

  /** The bindings tied to a stream connection. */
  byConnection(connectionId: string): Binding[] {
    return this.all().filter((b) => b.source.connectionId === connectionId);
  }

  get size(): number {
    let n = 0;
    for (const m of this.byAor.values()) n += m.size;
    return n;
  }
}
