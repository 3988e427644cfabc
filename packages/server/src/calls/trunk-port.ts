/**
 * What the B2BUA needs to route calls through carrier trunks and numbers (DIDs). `routing/` (a higher
 * layer) implements it (routing/call-routes.ts); calls/ sees only this port.
 */
import type { StoredHa1 } from '../sip/digest-auth.js';
import type { TransportSource } from '../sip/transport-connections.js';

/** An enabled trunk whose inbound networks contain a request's source. */
export interface InboundTrunk {
  name: string;
  /** Concurrent calls through the trunk, 0 = unlimited. */
  maxCalls: number;
}

/** An enabled trunk whose inbound digest user name is the one a request authenticates with. */
export interface DigestTrunk extends InboundTrunk {
  /** The trunk's inbound HA1s (realm `sip.realm`), verified by the same DigestAuthenticator as agents. */
  ha1: StoredHa1;
}

/** Where a number (DID) routes: `agent:<ext>`, `queue:<name>`, `flow:<name>`. */
export interface NumberRoute {
  type: string;
  key: string;
}

/** The trunk an outbound call goes through, resolved for sending. */
export interface OutboundTrunk {
  name: string;
  maxCalls: number;
  /** The trunk's host:port/transport with the host resolved to an IP address. */
  destination: TransportSource;
  /** The host as configured (Request-URI host). */
  host: string;
  /** The caller number to send (the trunk's caller-id rules applied to the agent's extension). */
  callerId: string;
  /** Outbound digest credentials (password decrypted), or null. */
  credentials: { username: string; password: string } | null;
}

export interface TrunkPort {
  /** The enabled trunk accepting calls from this source by network (CIDR), or null. */
  inbound(source: TransportSource): Promise<InboundTrunk | null>;
  /**
   * The enabled trunk whose inbound digest user is `username` (trunk user names always contain a
   * non-digit, agent extensions are digits only, so the two never clash), or null.
   */
  inboundDigest(username: string): Promise<DigestTrunk | null>;
  /** A request from `source` authenticated as the trunk: its source may be sent in-dialog requests (egress). */
  authenticated(trunk: string, source: TransportSource): void;
  /** The route of a configured number, or null. */
  number(number: string): Promise<NumberRoute | null>;
  /** The trunk for an outbound call by `caller` (an extension), or null when none is usable. */
  outbound(caller: string): Promise<OutboundTrunk | null>;
}

/** The Warning (RFC 3261 §20.43) of the 480 for queue and flow targets. */
export const CORE_NOT_AVAILABLE = '399 hotline "queues and flows: the contact-center core is not available yet"';
